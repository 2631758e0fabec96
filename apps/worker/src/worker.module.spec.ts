import { JobName } from '@keyward/queue';
import { PROCESSORS, checkEveryJobHasOneHandler } from './worker.module';

describe('worker start-up check', () => {
  it('passes when every job has exactly one processor', () => {
    expect(() => checkEveryJobHasOneHandler()).not.toThrow();
  });

  it('fails when a job would have two processors', () => {
    PROCESSORS.push(PROCESSORS[0]);
    try {
      expect(() => checkEveryJobHasOneHandler()).toThrow(new RegExp(`job ${JobName.Project} .* has 2 processors`));
    } finally {
      PROCESSORS.pop();
    }
  });
});
