import { PROCESSOR_METADATA } from '@nestjs/bullmq/dist/bull.constants';
import { Job } from 'bullmq';
import { JOB_QUEUE, JobName } from '@keyward/queue';
import { PROCESSORS, checkEveryJobHasOneHandler } from './worker.module';

/**
 * What each processor really does with each job, not what it declares: every job of JobName is
 * driven through every processor's process() (its collaborators replaced by recorders, no I/O).
 */
describe('worker processors', () => {
  /** A processor whose collaborators record the calls it makes. */
  function build(Processor: (typeof PROCESSORS)[number]) {
    const calls: string[] = [];
    const collaborator = {
      execute: async (command: object) => (calls.push(command.constructor.name), { outcome: 'sent' }),
      catchUp: async () => (calls.push('Projector.catchUp'), { applied: 0, checkpoint: { transactionId: '0', position: 0 } }),
    };
    const processor = new (Processor as unknown as new (c: unknown) => { process(job: Job): Promise<unknown> })(collaborator);
    return { processor, calls };
  }
  const job = (name: string) => ({ name, id: 'job-1', data: { reason: 'test', records: [] }, attemptsMade: 0, opts: {} }) as unknown as Job;

  it('every job is carried out by exactly one processor, the one on its queue, and refused by every other', async () => {
    for (const name of Object.values(JobName)) {
      const outcomes: string[] = [];
      for (const Processor of PROCESSORS) {
        const { processor, calls } = build(Processor);
        const queue = (Reflect.getMetadata(PROCESSOR_METADATA, Processor) as { name: string }).name;
        try {
          await processor.process(job(name));
          expect([name, Processor.name, calls.length]).toEqual([name, Processor.name, 1]);
          outcomes.push(`${Processor.name} on ${queue}`);
        } catch (err) {
          expect([name, Processor.name, (err as Error).message]).toEqual([name, Processor.name, expect.stringMatching(/^no handler for job/)]);
        }
      }
      expect([name, outcomes]).toEqual([name, [expect.stringMatching(new RegExp(` on ${JOB_QUEUE[name]}$`))]]);
    }
  });

  it('what the processors declare agrees with what they do, so the start-up check speaks for them', async () => {
    expect(() => checkEveryJobHasOneHandler()).not.toThrow();
    for (const Processor of PROCESSORS) {
      for (const name of Processor.handles) {
        const { processor, calls } = build(Processor);
        await processor.process(job(name));
        expect([Processor.name, name, calls.length]).toEqual([Processor.name, name, 1]);
      }
    }
  });

  it('the start-up check fails when a job would have two processors', () => {
    PROCESSORS.push(PROCESSORS[0]);
    try {
      expect(() => checkEveryJobHasOneHandler()).toThrow(new RegExp(`job ${JobName.Project} .* has 2 processors`));
    } finally {
      PROCESSORS.pop();
    }
  });
});
