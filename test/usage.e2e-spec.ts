import { generateKey } from '@keyward/auth';
import { Stack, call, startStack } from './support/stack';

const events = (s: Stack, type: string) =>
  s.sql.query(`SELECT stream_id, company_id, actor, data, metadata, occurred_at FROM events WHERE type = $1 ORDER BY position`, [type]);

describe('usage trail, expiry sweep, throttling (one API and one worker)', () => {
  let s: Stack;
  const admin = () => s.admin.key;

  beforeAll(async () => {
    s = await startStack({ EXPIRY_SWEEP_MS: '1000', AUTH_FAILURE_LIMIT: '20', AUTH_FAILURE_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => s?.close());

  it('records one KeyUsed per authenticated request, with its route, status and timing, and moves lastUsedAt', async () => {
    const key = (await call(s.url, 'POST', '/v1/keys', { key: admin(), body: { name: 'usage', permissions: ['keys:read'] } })).body;
    expect(key.lastUsedAt).toBeNull();
    await s.settleUsage();
    const before = (await events(s, 'KeyUsed')).length;

    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(s.url, 'GET', '/v1/me', { key: key.key, headers: { 'x-request-id': `req-${i}` } })).status);
    statuses.push((await call(s.url, 'GET', `/v1/keys/${key.id}`, { key: key.key })).status);
    statuses.push((await call(s.url, 'POST', '/v1/keys', { key: key.key, body: { name: 'nope' } })).status); // 403: still a use
    const lastRequestAt = Date.now();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 403]);

    await s.settleUsage();
    const used = (await events(s, 'KeyUsed')).slice(before).filter((e: { data: { keyId: string } }) => e.data.keyId === key.id);
    expect(used).toHaveLength(9);
    expect(used[0]).toMatchObject({
      stream_id: `usage-${key.id}`,
      company_id: s.admin.companyId,
      actor: { type: 'key', id: key.id },
      data: { keyId: key.id, method: 'GET', route: '/v1/me', status: 200, ip: '127.0.0.1', requestId: 'req-0' },
      metadata: { ip: '127.0.0.1', requestId: 'req-0' },
    });
    expect(used.map((e: { data: { route: string } }) => e.data.route)).toContain('/v1/keys/:id');
    expect(used[8].data).toMatchObject({ method: 'POST', route: '/v1/keys', status: 403 });
    expect(typeof used[0].data.durationMs).toBe('number');
    expect(JSON.stringify(used)).not.toContain(key.key);

    const after = (await call(s.url, 'GET', `/v1/keys/${key.id}`, { key: admin() })).body;
    expect(Math.abs(Date.parse(after.lastUsedAt) - lastRequestAt)).toBeLessThan(1000);
  });

  it('records a refused, well-formed key as AuthenticationFailed with the reason, never the key', async () => {
    const key = (await call(s.url, 'POST', '/v1/keys', { key: admin(), body: { name: 'to-revoke' } })).body;
    await call(s.url, 'POST', `/v1/keys/${key.id}/revoke`, { key: admin() });
    expect((await call(s.url, 'GET', '/v1/me', { key: key.key })).status).toBe(401);
    const fenced = (await call(s.url, 'POST', '/v1/keys', { key: admin(), body: { name: 'fenced', allowedIps: ['192.0.2.0/24'] } })).body;
    expect((await call(s.url, 'GET', '/v1/me', { key: fenced.key })).status).toBe(401);
    expect((await call(s.url, 'POST', '/v1/keys/verify', { key: admin(), body: { key: fenced.key } })).body.code).toBe('FORBIDDEN');
    await s.settleUsage();

    const failed = await events(s, 'AuthenticationFailed');
    const about = (id: string) => failed.filter((e: { data: { keyId: string } }) => e.data.keyId === id).map((e: { data: { reason: string; route: string } }) => [e.data.reason, e.data.route]);
    expect(about(key.id)).toEqual([['REVOKED', '/v1/me']]);
    // the two refusals can leave in different usage batches, which the worker may append in either order
    expect(about(fenced.id).sort()).toEqual([
      ['FORBIDDEN', '/v1/keys/verify'],
      ['FORBIDDEN', '/v1/me'],
    ]);
    expect(JSON.stringify(failed)).not.toContain(key.key);
    expect(JSON.stringify(failed)).not.toContain(fenced.key);
  });

  it('throttles failed authentication per address: past the limit, refused keys get 429 and a valid key still works', async () => {
    const codes: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      const r = await call(s.url, 'GET', '/v1/me', { key: generateKey().key });
      codes[`${r.status} ${r.body.code}`] = (codes[`${r.status} ${r.body.code}`] ?? 0) + 1;
    }
    // the revoked and the fenced key of the test above were refused twice already: 20 in all, then 429
    expect(codes).toEqual({ '401 INVALID_API_KEY': 18, '429 TOO_MANY_FAILED_AUTHENTICATIONS': 42 });
    const valid = await call(s.url, 'GET', '/v1/me', { key: admin() });
    expect(valid.status).toBe(200);
    const refused = await call(s.url, 'GET', '/v1/me', { key: generateKey().key });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('TOO_MANY_FAILED_AUTHENTICATIONS');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('expiry sweep', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ EXPIRY_SWEEP_MS: '1000' });
  });
  afterAll(async () => s?.close());

  it('records KeyExpired for a key a few seconds after its expiry, and the read model says expired', async () => {
    const expiresAt = new Date(Date.now() + 2000).toISOString();
    const key = (await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'brief', expiresAt } })).body;
    const rotated = (await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'rotating' } })).body;
    await call(s.url, 'POST', `/v1/keys/${rotated.id}/rotate`, { key: s.admin.key, body: { gracePeriodSeconds: 1 } });

    const deadline = Date.now() + 30_000;
    let expired: { data: { keyId: string; reason: string; expiredAt: string } }[] = [];
    while (Date.now() < deadline) {
      expired = await events(s, 'KeyExpired');
      if (expired.length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const byKey = Object.fromEntries(expired.map((e) => [e.data.keyId, e.data]));
    expect(byKey[key.id]).toEqual({ keyId: key.id, reason: 'expiry', expiredAt: expiresAt });
    expect(byKey[rotated.id]).toMatchObject({ reason: 'rotation' });

    await s.settleUsage();
    const rows = await s.sql.query('SELECT id, status FROM api_keys WHERE id = ANY($1) ORDER BY id', [[key.id, rotated.id]]);
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['expired', 'expired']);
    // idempotent: another sweep adds nothing
    await new Promise((r) => setTimeout(r, 1500));
    expect((await events(s, 'KeyExpired')).length).toBe(2);
  });
});

describe('client address', () => {
  it('ignores X-Forwarded-For by default and honours it with TRUST_PROXY', async () => {
    for (const [trust, expected] of [['false', 401], ['loopback', 200]] as const) {
      const s = await startStack({ TRUST_PROXY: trust });
      try {
        const key = (await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'proxied', allowedIps: ['198.51.100.10'] } })).body;
        const r = await call(s.url, 'GET', '/v1/me', { key: key.key, headers: { 'x-forwarded-for': '198.51.100.10' } });
        expect(r.status).toBe(expected);
      } finally {
        await s.close();
      }
    }
  });
});
