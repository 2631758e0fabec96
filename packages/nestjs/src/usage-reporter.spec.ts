import { KeywardHttpError, KeywardUnavailableError, UsageRecord } from './client';
import { UsageReporter } from './usage-reporter';

const use = (i: number, keyId = 'key-1') => ({ keyId, method: 'GET', route: '/invoices', status: 200, ip: '127.0.0.1', requestId: `r${i}`, durationMs: 1 });

function keyward() {
  const appended = new Map<string, UsageRecord>();
  const batches: number[] = [];
  let failNext = 0;
  let reject: ((batch: UsageRecord[]) => Error | undefined) | undefined;
  return {
    appended,
    batches,
    failTimes: (n: number) => (failNext = n),
    rejectWith: (fn: typeof reject) => (reject = fn),
    reportUsage: async (records: UsageRecord[]) => {
      batches.push(records.length);
      if (failNext > 0) {
        failNext--;
        // the batch may have been committed before the answer was lost: a retry must not count twice
        for (const r of records) appended.set(r.eventId, r);
        throw new KeywardUnavailableError('timed out');
      }
      const refusal = reject?.(records);
      if (refusal) throw refusal;
      for (const r of records) appended.set(r.eventId, r);
      return { appended: records.length };
    },
  };
}

const quiet = { warn: () => undefined };

describe('UsageReporter', () => {
  let now = 0;
  beforeEach(() => (now = 0));

  it('sends batches of at most batchSize, one record per request with a stable eventId', async () => {
    const server = keyward();
    const reporter = new UsageReporter(server, quiet, { batchSize: 2, now: () => now });
    for (let i = 0; i < 5; i++) reporter.record(use(i));
    await reporter.close();
    expect(server.batches.every((n) => n <= 2)).toBe(true);
    expect(server.appended.size).toBe(5);
    expect([...server.appended.values()].map((r) => r.requestId).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('keeps a failed batch and retries it with the same eventIds (nothing twice, nothing lost)', async () => {
    const server = keyward();
    const reporter = new UsageReporter(server, quiet, { now: () => now });
    for (let i = 0; i < 3; i++) reporter.record(use(i));
    server.failTimes(2);
    await reporter.flush();
    expect(reporter.pending).toBe(3);
    await reporter.flush(); // backing off: not sent again yet
    expect(server.batches).toHaveLength(1);
    now = 60_000;
    await reporter.flush();
    now = 120_000;
    await reporter.flush();
    expect(reporter.pending).toBe(0);
    expect(server.appended.size).toBe(3);
  });

  it('a graceful stop sends everything left, retrying through failures', async () => {
    const server = keyward();
    const reporter = new UsageReporter(server, quiet, { drainTimeoutMs: 10_000 });
    for (let i = 0; i < 1200; i++) reporter.record(use(i));
    server.failTimes(2);
    await reporter.close();
    expect(reporter.pending).toBe(0);
    expect(server.appended.size).toBe(1200);
  });

  it('drops only the record Keyward names in a 422, and sends the others', async () => {
    const server = keyward();
    server.rejectWith((batch) => {
      const i = batch.findIndex((r) => r.keyId === 'foreign');
      return i >= 0 ? new KeywardHttpError(422, 'VALIDATION_FAILED', `records[${i}].keyId: not a key of this company`) : undefined;
    });
    const warnings: string[] = [];
    const reporter = new UsageReporter(server, { warn: (m) => warnings.push(m) });
    reporter.record(use(0));
    reporter.record(use(1, 'foreign'));
    reporter.record(use(2));
    await reporter.close();
    expect([...server.appended.values()].map((r) => r.requestId).sort()).toEqual(['r0', 'r2']);
    expect(warnings).toHaveLength(1);
  });

  it('a request without an id of its own is reported with its record\'s eventId as request id', async () => {
    const server = keyward();
    const reporter = new UsageReporter(server, quiet);
    reporter.add('key-1', 'GET', '/invoices', 200, '127.0.0.1', null, null, 3);
    reporter.add('key-1', 'GET', '/invoices', 200, '127.0.0.1', 'curl/8', 'req-7', 3);
    await reporter.close();
    const [first, second] = [...server.appended.values()];
    expect([first.requestId, 'userAgent' in JSON.parse(JSON.stringify(first)), second.requestId, second.userAgent]).toEqual([first.eventId, false, 'req-7', 'curl/8']);
  });

  it('a full buffer drops its oldest records that are not in flight: the batch being sent stays whole', async () => {
    let release!: () => void;
    const sent: UsageRecord[][] = [];
    const slow = {
      reportUsage: async (records: UsageRecord[]) => {
        sent.push(records);
        if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return { appended: records.length };
      },
    };
    const warnings: string[] = [];
    const reporter = new UsageReporter(slow, { warn: (m) => warnings.push(m) }, { batchSize: 2, maxBuffered: 4 });
    reporter.record(use(0));
    reporter.record(use(1)); // a full batch: sent at once, held
    for (let i = 2; i < 7; i++) reporter.record(use(i)); // 7 > 4: r2, r3 and r4 give way, in turn
    release();
    await reporter.close();
    expect(sent.flat().map((r) => r.requestId)).toEqual(['r0', 'r1', 'r5', 'r6']);
    expect(warnings).toEqual(['Keyward usage buffer full: 1 record(s) dropped', 'Keyward usage buffer full: 1 record(s) dropped', 'Keyward usage buffer full: 1 record(s) dropped']);
  });

  it('a batch larger than Keyward takes (413) is sent in halves, never stuck: every record arrives once', async () => {
    const server = keyward();
    server.rejectWith((batch) => (batch.length > 3 ? new KeywardHttpError(413, 'PAYLOAD_TOO_LARGE', 'body: larger than accepted') : undefined));
    const reporter = new UsageReporter(server, quiet, { batchSize: 10 });
    for (let i = 0; i < 10; i++) reporter.record(use(i));
    await reporter.close();
    expect(server.appended.size).toBe(10);
    expect(server.batches.filter((n) => n <= 3).reduce((a, b) => a + b, 0)).toBe(10);
  });
});
