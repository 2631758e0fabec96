import { keyWithChecksum } from '@keyward/auth';
import { Stack, call, startStack } from './support/stack';

/**
 * One auth pipeline (issue 15): the routes outside Nest's router or guard — /docs when not
 * public, /metrics when not public, /admin/queues — are authenticated, throttled, recorded,
 * rate-limited and checked for permissions exactly as a guarded /v1 route. TRUST_PROXY=loopback
 * lets each scenario speak from an address of its own (X-Forwarded-For).
 */
describe('one auth pipeline for /v1, /docs, /metrics and /admin/queues', () => {
  let s: Stack;
  const ROUTES = ['/v1/me', '/docs/openapi.json', '/metrics', '/admin/queues/api/queues'] as const;
  const from = (ip: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...headers });
  const unknownKey = (i: number) => keyWithChecksum(`pipeline${String(i).padStart(35, '0')}`);
  const failuresFrom = async (ip: string): Promise<{ reason: string; route: string }[]> => {
    await s.appendUsage();
    return (await s.sql.query(`SELECT data FROM events WHERE type = 'AuthenticationFailed' AND data->>'ip' = $1 ORDER BY position`, [ip])).map(
      (r: { data: { reason: string; route: string } }) => ({ reason: r.data.reason, route: r.data.route }),
    );
  };
  const createKey = async (body: Record<string, unknown>) => {
    const r = await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'pipeline', ...body }, headers: from('198.51.100.200') });
    expect(r.status).toBe(201);
    return r.body as { id: string; key: string };
  };

  beforeAll(async () => {
    s = await startStack({
      DOCS_PUBLIC: 'false',
      METRICS_PUBLIC: 'false',
      AUTH_FAILURE_LIMIT: '4',
      AUTH_FAILURE_WINDOW_SECONDS: '600',
      TRUST_PROXY: 'loopback',
    });
  }, 120_000);
  afterAll(async () => s?.close());

  it.each(ROUTES)('%s: no key is 401 MISSING_API_KEY with the Bearer challenge, as problem+json', async (route) => {
    const r = await call(s.url, 'GET', route, { headers: from('198.51.100.10') });
    expect({ status: r.status, code: r.body.code, challenge: r.headers.get('www-authenticate') }).toEqual({
      status: 401,
      code: 'MISSING_API_KEY',
      challenge: 'Bearer',
    });
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('an unknown key is 401 INVALID_API_KEY on every route, recorded as AuthenticationFailed with the route as declared, and counted by one throttle: the fifth is 429', async () => {
    const ip = '198.51.100.11';
    const answers = [];
    for (const [i, route] of ROUTES.entries()) {
      const r = await call(s.url, 'GET', route, { key: unknownKey(i), headers: from(ip) });
      answers.push({ route, status: r.status, code: r.body.code });
    }
    expect(answers).toEqual(ROUTES.map((route) => ({ route, status: 401, code: 'INVALID_API_KEY' })));
    const fifth = await call(s.url, 'GET', '/admin/queues/api/queues', { key: unknownKey(9), headers: from(ip) });
    expect({ status: fifth.status, code: fifth.body.code }).toEqual({ status: 429, code: 'TOO_MANY_FAILED_AUTHENTICATIONS' });
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);

    expect(await failuresFrom(ip)).toEqual([
      // the route as declared, also for the routes outside Nest's router (the API's first request hook names it)
      { reason: 'NOT_FOUND', route: '/v1/me' },
      { reason: 'NOT_FOUND', route: '/docs/openapi.json' },
      { reason: 'NOT_FOUND', route: '/metrics' },
      { reason: 'NOT_FOUND', route: '/admin/queues/api/queues' },
      { reason: 'NOT_FOUND', route: '/admin/queues/api/queues' },
    ]);
  });

  it("a valid key gets the key's RateLimit headers on every route, and its limit counts requests to all of them", async () => {
    const key = await createKey({ permissions: ['admin.system.api'], rateLimit: { limit: ROUTES.length, windowSeconds: 3600 } });
    const remaining = [];
    for (const route of ROUTES) {
      const r = await call(s.url, 'GET', route, { key: key.key, headers: from('198.51.100.12') });
      expect({ route, status: r.status }).toEqual({ route, status: 200 });
      expect(r.headers.get('ratelimit-limit')).toBe(String(ROUTES.length));
      remaining.push(Number(r.headers.get('ratelimit-remaining')));
    }
    expect(remaining).toEqual([3, 2, 1, 0]);
    for (const route of ROUTES) {
      const r = await call(s.url, 'GET', route, { key: key.key, headers: from('198.51.100.12') });
      expect({ route, status: r.status, code: r.body.code, remaining: r.headers.get('ratelimit-remaining') }).toEqual({
        route,
        status: 429,
        code: 'RATE_LIMITED',
        remaining: '0',
      });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('a valid key without admin.system.api is 403 INSUFFICIENT_PERMISSIONS on /metrics and /admin/queues, and reads /docs', async () => {
    const key = await createKey({ permissions: ['keys:read'] });
    const status = async (route: string) => {
      const r = await call(s.url, 'GET', route, { key: key.key, headers: from('198.51.100.13') });
      return { route, status: r.status, code: r.status === 200 ? undefined : r.body.code };
    };
    expect(await status('/docs/openapi.json')).toEqual({ route: '/docs/openapi.json', status: 200, code: undefined });
    expect(await status('/metrics')).toEqual({ route: '/metrics', status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(await status('/admin/queues/api/queues')).toEqual({ route: '/admin/queues/api/queues', status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it('each admitted request is a KeyUsed of its key, with the route that answered it (as declared, never the raw URL)', async () => {
    const key = await createKey({ permissions: ['admin.system.api'] });
    for (const route of ROUTES) expect((await call(s.url, 'GET', route, { key: key.key, headers: from('198.51.100.14') })).status).toBe(200);
    await s.appendUsage();
    const used = await s.sql.query(`SELECT data->>'route' AS route, (data->>'status')::int AS status FROM events WHERE type = 'KeyUsed' AND data->>'keyId' = $1 ORDER BY position`, [
      key.id,
    ]);
    expect(used).toEqual([
      { route: '/v1/me', status: 200 },
      { route: '/docs/openapi.json', status: 200 },
      { route: '/metrics', status: 200 },
      { route: '/admin/queues/api/queues', status: 200 },
    ]);
  });

  it('a valid key from an address throttled for failed keys is still answered on every route', async () => {
    const ip = '198.51.100.15';
    for (let i = 0; i < 5; i++) await call(s.url, 'GET', '/metrics', { key: unknownKey(100 + i), headers: from(ip) });
    expect((await call(s.url, 'GET', '/docs/openapi.json', { key: unknownKey(200), headers: from(ip) })).status).toBe(429);
    const key = await createKey({ permissions: ['admin.system.api'] });
    for (const route of ROUTES) {
      expect({ route, status: (await call(s.url, 'GET', route, { key: key.key, headers: from(ip) })).status }).toEqual({ route, status: 200 });
    }
  });

  it("a dashboard session's requests are held to its key's permission and validity, but neither spend its limit nor become KeyUsed one by one", async () => {
    const key = await createKey({ permissions: ['admin.system.api'], rateLimit: { limit: 2, windowSeconds: 3600 } });
    const opened = await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'POST', headers: { 'x-api-key': key.key, ...from('198.51.100.16') } });
    expect(opened.status).toBe(201);
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0];
    for (let i = 0; i < 5; i++) {
      const poll = await fetch(`${s.url}/admin/queues/api/queues`, { headers: { cookie, ...from('198.51.100.16') } });
      expect(poll.status).toBe(200);
      expect(poll.headers.get('ratelimit-limit')).toBeNull();
    }
    // the key's own limit is untouched by the polls: one request left of two after opening the session
    const me = await call(s.url, 'GET', '/v1/me', { key: key.key, headers: from('198.51.100.16') });
    expect({ status: me.status, remaining: me.headers.get('ratelimit-remaining') }).toEqual({ status: 200, remaining: '0' });
    await s.appendUsage();
    const used = await s.sql.query(`SELECT data->>'route' AS route FROM events WHERE type = 'KeyUsed' AND data->>'keyId' = $1 ORDER BY position`, [key.id]);
    expect(used).toEqual([{ route: '/v1/system/dashboard-session' }, { route: '/v1/me' }]);

    // revoked: the session ends with its key
    expect((await call(s.url, 'POST', `/v1/keys/${key.id}/revoke`, { key: s.admin.key, body: {}, headers: from('198.51.100.200') })).status).toBe(200);
    const after = await fetch(`${s.url}/admin/queues/api/queues`, { headers: { cookie, ...from('198.51.100.16') } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe('DASHBOARD_SESSION_ENDED');
  });
});
