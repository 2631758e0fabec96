import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { VerificationScans } from './verification-scans';

/** A data source whose lock is granted at once: the queue's own behaviour, without Postgres (the e2e test has it). */
function fakeDataSource(): DataSource {
  const runner = {
    connect: async () => undefined,
    startTransaction: async () => undefined,
    query: async () => [],
    rollbackTransaction: async () => undefined,
    release: async () => undefined,
  };
  return { createQueryRunner: () => runner } as unknown as DataSource;
}

function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe('VerificationScans', () => {
  it('shares one scan between identical requests and runs distinct scans one at a time', async () => {
    const scans = new VerificationScans(fakeDataSource());
    const first = gate<string>();
    let peak = 0;
    const scan = (answer: Promise<string>) => async () => {
      peak = Math.max(peak, scans.stats.running);
      return answer;
    };
    const a = [scans.run(scan(first.promise), { share: 'x', requester: 'c1' }), scans.run(scan(Promise.resolve('never')), { share: 'x', requester: 'c1' })];
    const b = scans.run(scan(Promise.resolve('b')), { share: 'y', requester: 'c2' });
    await new Promise((r) => setImmediate(r));
    expect(scans.stats).toMatchObject({ requests: 3, shared: 1, scans: 1, running: 1 });
    first.open('a');
    expect(await Promise.all(a)).toEqual(['a', 'a']);
    expect(await b).toBe('b');
    expect(scans.stats).toMatchObject({ scans: 2, running: 0 });
    expect(peak).toBe(1);
  });

  it('refuses a second, different scan of one requester while its first is pending, and takes it afterwards', async () => {
    const scans = new VerificationScans(fakeDataSource());
    const first = gate<string>();
    const pending = scans.run(() => first.promise, { share: 'from-1', requester: 'c1' });
    let refused: unknown;
    try {
      scans.run(async () => 'other', { share: 'from-2', requester: 'c1' });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(Problem);
    expect((refused as Problem).getStatus()).toBe(429);
    expect((refused as Problem).getResponse()).toMatchObject({ code: 'VERIFY_BUSY', headers: { 'Retry-After': '5' } });
    first.open('done');
    await pending;
    expect(await scans.run(async () => 'other', { share: 'from-2', requester: 'c1' })).toBe('other');
  });

  it('lets a failed scan fail its callers only, and goes on', async () => {
    const scans = new VerificationScans(fakeDataSource());
    await expect(scans.run(async () => Promise.reject(new Error('broken')), { share: 's', requester: 'c1' })).rejects.toThrow('broken');
    expect(await scans.run(async () => 'next', { share: 's', requester: 'c1' })).toBe('next');
    expect(scans.stats.running).toBe(0);
  });
});
