import { MigrationInterface } from 'typeorm';
import { Projector } from '@keyward/event-store';
import { UsageSeries1764400000000 } from '../libs/database/src/migrations/1764400000000-usage-series';
import { UsageRefusals1764510000000 } from '../libs/database/src/migrations/1764510000000-usage-refusals';
import { Stack, call, startStack } from './support/stack';

/**
 * Usage series (issue 13): the buckets the worker keeps from KeyUsed and AuthenticationFailed
 * equal the events — per key and for the company, at every granularity — and are readable with
 * keys:read alone.
 */
describe('usage series', () => {
  let s: Stack;
  let admin: string;
  let reader: { id: string; key: string };
  let quiet: { id: string };
  const startedAt = Date.now();

  beforeAll(async () => {
    s = await startStack();
    admin = s.admin.key;
    // a key that only reads keys: it reviews usage without audit:read
    reader = (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'reader', permissions: ['keys:read'] } })).body;
    quiet = (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'never used', permissions: ['keys:read'] } })).body;
    // mixed statuses: 200s, 403s (no users:read), 404s, then refusals once revoked
    const doomed = (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'doomed', permissions: ['keys:read'] } })).body;
    for (let i = 0; i < 5; i++) await call(s.url, 'GET', '/v1/me', { key: reader.key });
    for (let i = 0; i < 3; i++) await call(s.url, 'GET', '/v1/users', { key: reader.key });
    for (let i = 0; i < 2; i++) await call(s.url, 'GET', `/v1/keys/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { key: reader.key });
    await call(s.url, 'GET', '/v1/me', { key: doomed.key });
    await call(s.url, 'POST', `/v1/keys/${doomed.id}/revoke`, { key: admin, body: {} });
    for (let i = 0; i < 4; i++) await call(s.url, 'GET', '/v1/me', { key: doomed.key });
    // refusals of another reason: a deleted key
    const gone = (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'gone', permissions: ['keys:read'] } })).body;
    expect((await call(s.url, 'DELETE', `/v1/keys/${gone.id}`, { key: admin })).status).toBe(204);
    for (let i = 0; i < 2; i++) expect((await call(s.url, 'GET', '/v1/me', { key: gone.key })).status).toBe(401);
    await s.settleUsage();
  });
  afterAll(async () => s?.close());

  const checkpoint = async () =>
    (await s.sql.query(`SELECT transaction_id::text AS tx, position FROM projection_checkpoints WHERE name = 'read-models'`))[0] as { tx: string; position: string };

  /**
   * A usage route's answer and the log's own count as of the same projector checkpoint (the
   * requests of the test itself keep adding usage): retried until no batch was projected between.
   */
  async function consistent<T>(read: () => Promise<T>, keyId?: string): Promise<[T, Awaited<ReturnType<typeof fromLog>>]> {
    for (let attempt = 0; ; attempt++) {
      const before = await checkpoint();
      const answer = await read();
      const after = await checkpoint();
      if (before.tx === after.tx && before.position === after.position) return [answer, await fromLog(keyId, before)];
      if (attempt > 20) throw new Error('the projector never stood still');
    }
  }

  /** The log's own count of a key's requests (or the company's), by status class, and its refusals, up to a checkpoint. */
  async function fromLog(keyId?: string, upTo?: { tx: string; position: string }) {
    const cp = upTo ?? (await checkpoint());
    const rows: { type: string; cls: string | null; n: number }[] = await s.sql.query(
      `SELECT type, (data->>'status')::int / 100 || 'xx' AS cls, count(*)::int AS n FROM events
        WHERE type IN ('KeyUsed', 'AuthenticationFailed') AND ($1::uuid IS NULL OR data->>'keyId' = $1::text)
          AND (transaction_id, position) <= ($2::text::xid8, $3::bigint)
        GROUP BY 1, 2`,
      [keyId ?? null, cp.tx, cp.position],
    );
    const byStatus = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 } as Record<string, number>;
    let refused = 0;
    for (const r of rows) {
      if (r.type === 'AuthenticationFailed') refused += r.n;
      else byStatus[r.cls!] += r.n;
    }
    return { total: refused + Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus, refused };
  }

  /** A migration undone and applied again, as on an installation upgraded with usage in its log. */
  async function rerun(migration: MigrationInterface) {
    const runner = s.sql.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
  }

  const sum = (buckets: { total: number; byStatus: Record<string, number>; refused: number }[]) => ({
    total: buckets.reduce((n, b) => n + b.total, 0),
    byStatus: Object.fromEntries(['2xx', '3xx', '4xx', '5xx'].map((c) => [c, buckets.reduce((n, b) => n + b.byStatus[c], 0)])),
    refused: buckets.reduce((n, b) => n + b.refused, 0),
  });
  const range = `from=${new Date(startedAt - 120_000).toISOString()}&to=${new Date(Date.now() + 120_000).toISOString()}`;

  it("a key's buckets equal its events at every granularity, read with keys:read only", async () => {
    for (const granularity of ['minute', 'hour', 'day']) {
      const [res, expected] = await consistent(() => call(s.url, 'GET', `/v1/keys/${reader.id}/usage?granularity=${granularity}&${range}`, { key: reader.key }), reader.id);
      expect([granularity, res.status, expected.byStatus['4xx']]).toEqual([granularity, 200, 5]);
      expect([granularity, sum(res.body.buckets)]).toEqual([granularity, expected]);
      // every bucket of the range, in order, empty ones as zeros
      const starts = res.body.buckets.map((b: { start: string }) => Date.parse(b.start));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(new Set(starts).size).toBe(starts.length);
    }
  });

  it('a revoked key: its refusals count as refused; a key never used has an all-zero series', async () => {
    const doomed = (await s.sql.query(`SELECT id FROM api_keys WHERE name = 'doomed'`))[0].id;
    const [res, expected] = await consistent(() => call(s.url, 'GET', `/v1/keys/${doomed}/usage?granularity=hour&${range}`, { key: reader.key }), doomed);
    expect(sum(res.body.buckets)).toEqual(expected);
    expect(sum(res.body.buckets).refused).toBe(4);
    const none = await call(s.url, 'GET', `/v1/keys/${quiet.id}/usage?granularity=minute&${range}`, { key: reader.key });
    expect([none.status, sum(none.body.buckets).total, none.body.buckets.length]).toEqual([200, 0, expect.any(Number)]);
    expect(none.body.buckets.length).toBeGreaterThan(3);
  });

  it("the company's series equals all of its events, and groupBy=key names the busiest keys", async () => {
    const [res, expected] = await consistent(() => call(s.url, 'GET', `/v1/usage?granularity=minute&groupBy=key&${range}`, { key: reader.key }));
    expect(res.status).toBe(200);
    expect(sum(res.body.buckets)).toEqual(expected);
    const top = res.body.keys as { keyId: string; name: string; total: number }[];
    expect(top[0]).toMatchObject({ keyId: reader.id, name: 'reader' });
    expect(top.map((k) => k.total)).toEqual([...top.map((k) => k.total)].sort((a, b) => b - a));
  });

  it("the company's refusals by reason equal its AuthenticationFailed events, at every granularity", async () => {
    for (const granularity of ['minute', 'hour', 'day']) {
      const [res, byReason] = await consistent(async () => {
        const answer = await call(s.url, 'GET', `/v1/usage?granularity=${granularity}&${range}`, { key: reader.key });
        const cp = await checkpoint();
        const rows: { reason: string; count: number }[] = await s.sql.query(
          `SELECT data->>'reason' AS reason, count(*)::int AS count FROM events
            WHERE type = 'AuthenticationFailed' AND company_id = $1 AND (transaction_id, position) <= ($2::text::xid8, $3::bigint)
            GROUP BY 1 ORDER BY 2 DESC, 1`,
          [s.admin.companyId, cp.tx, cp.position],
        );
        return [answer, rows] as const;
      });
      const [answer, expected] = res;
      expect([granularity, answer.status, answer.body.refusedByReason]).toEqual([granularity, 200, expected]);
      // the reasons seen here, and they add up to the series' refusals
      expect(Object.fromEntries(expected.map((r) => [r.reason, r.count]))).toMatchObject({ REVOKED: 4, DELETED: 2 });
      expect(expected.reduce((n, r) => n + r.count, 0)).toBe(sum(answer.body.buckets).refused);
      expect(byReason.refused).toBe(sum(answer.body.buckets).refused);
    }
  });

  it('bad ranges and granularities are 400 naming the field; a key of another company or none is 404', async () => {
    const cases: [string, string][] = [
      [`/v1/keys/${reader.id}/usage?granularity=week`, 'granularity'],
      [`/v1/keys/${reader.id}/usage?from=yesterday`, 'from'],
      [`/v1/keys/${reader.id}/usage?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`, 'from'],
      [`/v1/keys/${reader.id}/usage?granularity=minute&from=2030-01-01T00:00:00Z&to=2030-01-03T00:00:00Z`, 'from'],
      [`/v1/usage?groupBy=owner`, 'groupBy'],
      [`/v1/keys/not-a-uuid/usage`, 'id'],
    ];
    for (const [path, field] of cases) {
      const res = await call(s.url, 'GET', path, { key: reader.key });
      expect([path, res.status, res.body.errors?.[0]?.field]).toEqual([path, 400, field]);
    }
    const missing = await call(s.url, 'GET', `/v1/keys/${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)}/usage`, { key: reader.key });
    expect(missing.status).toBe(404);
  });

  it('a rebuild of the read models gives the same buckets', async () => {
    await s.settleUsage();
    const before = await s.sql.query('SELECT * FROM usage_buckets ORDER BY key_id, granularity, start');
    const refusals = await s.sql.query('SELECT * FROM usage_refusals ORDER BY company_id, granularity, start, reason');
    expect(refusals.length).toBeGreaterThan(0);
    await s.worker.get(Projector).rebuild();
    expect(await s.sql.query('SELECT * FROM usage_buckets ORDER BY key_id, granularity, start')).toEqual(before);
    expect(await s.sql.query('SELECT * FROM usage_refusals ORDER BY company_id, granularity, start, reason')).toEqual(refusals);
  });

  it("an installation upgraded with usage in its log: the migration counts what the projector had passed, the same as the projection", async () => {
    await s.settleUsage();
    const before = await s.sql.query('SELECT * FROM usage_buckets ORDER BY key_id, granularity, start');
    await rerun(new UsageSeries1764400000000());
    expect(before.length).toBeGreaterThan(0);
    expect(await s.sql.query('SELECT * FROM usage_buckets ORDER BY key_id, granularity, start')).toEqual(before);
  });

  it('an installation upgraded with refusals in its log: the refusals migration counts them by reason, the same as the projection', async () => {
    await s.settleUsage();
    const before = await s.sql.query('SELECT * FROM usage_refusals ORDER BY company_id, granularity, start, reason');
    await rerun(new UsageRefusals1764510000000());
    expect(before.length).toBeGreaterThan(0);
    expect(await s.sql.query('SELECT * FROM usage_refusals ORDER BY company_id, granularity, start, reason')).toEqual(before);
  });
});
