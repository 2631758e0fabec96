import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { RunningProcess, processEnv, runCliJson, startProcess } from './support/processes';
import { call } from './support/stack';

/** Per-key rate limits are counted once for all API instances (two processes here). */
describe('rate limits across two API instances', () => {
  let db: TestDatabase;
  let worker: RunningProcess;
  let A: RunningProcess;
  let B: RunningProcess;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = processEnv(testConfig({ DATABASE_URL: db.url }));
    admin = (await runCliJson<{ key: string }>(['bootstrap', '--json'], env)).key;
    [worker, A, B] = await Promise.all([startProcess('worker', env), startProcess('api', env), startProcess('api', env)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([A?.stop(), B?.stop(), worker?.stop()]);
    await db?.drop();
  }, 60_000);

  it('lets exactly `limit` of limit+50 concurrent requests through, over both instances', async () => {
    const limit = 120;
    const key = (await call(A.url!, 'POST', '/v1/keys', { key: admin, body: { name: 'limited', rateLimit: { limit, windowSeconds: 3600 } } })).body;
    const replies = await Promise.all(
      Array.from({ length: limit + 50 }, (_, i) => call((i % 2 ? A : B).url!, 'GET', '/v1/me', { key: key.key })),
    );
    const ok = replies.filter((r) => r.status === 200);
    const limited = replies.filter((r) => r.status === 429);
    expect(ok).toHaveLength(limit);
    expect(limited).toHaveLength(50);

    for (const r of ok) {
      expect(r.headers.get('ratelimit-limit')).toBe(String(limit));
      expect(Number(r.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const remaining = ok.map((r) => Number(r.headers.get('ratelimit-remaining'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: limit }, (_, i) => i)); // every count handed out once
    for (const r of limited) {
      expect(r.body.code).toBe('RATE_LIMITED');
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
    }

    const verified = await call(B.url!, 'POST', '/v1/keys/verify', { key: admin, body: { key: key.key } });
    expect(verified.body).toMatchObject({ valid: false, code: 'RATE_LIMITED', keyId: key.id });
  });

  it("counts each key on its own, with the configured default when a key has none", async () => {
    const other = (await call(A.url!, 'POST', '/v1/keys', { key: admin, body: { name: 'default-limit' } })).body;
    const r = await call(B.url!, 'GET', '/v1/me', { key: other.key });
    expect(r.status).toBe(200);
    expect(r.headers.get('ratelimit-limit')).toBe('1000');
    expect(r.headers.get('ratelimit-remaining')).toBe('999');
  });
});
