import { CommandBus } from '@nestjs/cqrs';
import type Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { BootstrapCommand } from '@keyward/keys';
import { REDIS } from '@keyward/queue';
import { testEnvironment } from '@keyward/testing';
import { Stack, call, startStack } from './support/stack';

/**
 * Every path @nestjs/swagger serves for the playground and the document (page, its assets and
 * init script, JSON, the YAML alias beside /docs), in the spellings Express also routes there.
 */
const DOCS_PATHS = ['/docs', '/docs/', '/docs/index.html', '/docs/swagger-ui-init.js', '/docs/swagger-ui.css', '/docs/openapi.json', '/docs-yaml', '/docs-yaml/', '/DOCS-YAML'];

/** A second tenant with its own ADMIN key: admin.system.api, but not the installation's operator. */
async function otherCompanyAdmin(s: Stack): Promise<string> {
  const other = await s.api
    .get(CommandBus)
    .execute(new BootstrapCommand({ companyName: `Other ${Date.now()}`, adminEmail: `x${Date.now()}@other.test`, adminName: 'X', firstOnly: false }));
  return other!.key;
}

describe('operations endpoints (one API and one worker)', () => {
  let s: Stack;
  let readonlyKey: string;

  beforeAll(async () => {
    s = await startStack();
    readonlyKey = (await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'ro', role: 'READONLY' } })).body.key;
  });
  afterAll(async () => s?.close());

  it('exposes Prometheus metrics: latency by route, auth outcomes, events by type, lag, queues, usage buffer', async () => {
    await call(s.url, 'GET', '/v1/me', { key: s.admin.key });
    await call(s.url, 'GET', '/v1/me', { key: 'kw_nope' });
    const r = await fetch(`${s.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/keyward_http_request_duration_seconds_bucket\{.*route="\/v1\/me".*\}/);
    expect(text).toMatch(/keyward_auth_outcomes_total\{code="OK"\} \d+/);
    expect(text).toMatch(/keyward_auth_outcomes_total\{code="MALFORMED_API_KEY"\} 1/);
    expect(text).toMatch(/keyward_events_appended_total\{type="KeyCreated"\} \d+/);
    expect(text).toMatch(/keyward_projection_lag_events \d+/);
    expect(text).toMatch(/keyward_queue_jobs\{queue="usage",state="failed"\} \d+/);
    expect(text).toMatch(/keyward_usage_buffer_size \d+/);
    expect(text).not.toContain(s.admin.key);
  });

  it('answers readiness with every check, live without any', async () => {
    expect((await call(s.url, 'GET', '/health/live')).body).toEqual({ status: 'ok' });
    const ready = await call(s.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['postgres', 'projection', 'redis']);
  });

  it('names a failing readiness check (Redis) without the driver\'s error text', async () => {
    const redis = s.api.get<Redis>(REDIS);
    redis.disconnect();
    try {
      const driverText = await redis.ping().then(
        () => null,
        (err: Error) => err.message,
      );
      expect(driverText).toEqual(expect.any(String)); // what the driver says while it is away
      const ready = await call(s.url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(ready.body).toMatchObject({ code: 'NOT_READY', detail: 'not ready: redis', errors: [{ field: 'redis', message: 'unavailable' }] });
      expect(JSON.stringify(ready.body)).not.toContain(driverText!);
    } finally {
      await redis.connect();
    }
    expect((await call(s.url, 'GET', '/health/ready')).status).toBe(200);
  });

  it('names a failing readiness check (Postgres) without the driver\'s error text', async () => {
    const db = (await s.sql.query('SELECT current_database() AS name'))[0].name as string;
    // from the server's admin database: no new connection to the test database, and the app's
    // pooled ones (application_name keyward) ended
    const admin = new Client({ connectionString: testEnvironment().pgAdminUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`);
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'keyward'`, [db]);
      const driverText = await s.api
        .get(DataSource)
        .query('SELECT 1')
        .then(
          () => null,
          (err: Error) => err.message,
        );
      expect(driverText).toEqual(expect.any(String));
      const ready = await call(s.url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.code).toBe('NOT_READY');
      const failing = (ready.body.errors as { field: string; message: string }[]).map((e) => e.field);
      expect(failing).toContain('postgres');
      for (const e of ready.body.errors as { field: string; message: string }[]) expect(e.message).toMatch(/^(unavailable|no answer within 2000 ms)$/);
      const text = JSON.stringify(ready.body);
      expect(text).not.toContain(driverText!);
      expect(text).not.toContain(db);
    } finally {
      await admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    expect((await call(s.url, 'GET', '/health/ready')).status).toBe(200);
  });

  it('serves the playground, the JSON and the YAML document without a key (DOCS_PUBLIC defaults to true)', async () => {
    for (const path of DOCS_PATHS) expect({ path, status: (await fetch(`${s.url}${path}`)).status }).toEqual({ path, status: 200 });
  });

  it('opens the queue dashboard to admin.system.api keys only', async () => {
    expect((await call(s.url, 'GET', '/admin/queues')).status).toBe(401);
    const ro = await call(s.url, 'GET', '/admin/queues', { key: readonlyKey });
    expect(ro.status).toBe(403);
    expect(ro.body.code).toBe('INSUFFICIENT_PERMISSIONS');
    const ok = await fetch(`${s.url}/admin/queues`, { headers: { 'x-api-key': s.admin.key } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<html/i);
    const api = await call(s.url, 'GET', '/admin/queues/api/queues', { key: s.admin.key });
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(expect.arrayContaining(['maintenance', 'projections', 'usage']));
    // the queues hold every tenant's jobs: another company's admin key is refused
    const other = await call(s.url, 'GET', '/admin/queues/api/queues', { key: await otherCompanyAdmin(s) });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('NOT_INSTALLATION_OPERATOR');
  });

  it('opens a browser session for the dashboard: a random HttpOnly cookie, checked against the key on every request', async () => {
    const opsKey = await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'ops-dashboard', role: 'ADMIN' } });
    const opened = await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'POST', headers: { 'x-api-key': opsKey.body.key } });
    expect(opened.status).toBe(201);
    expect(await opened.json()).toEqual({ url: '/admin/queues', expiresAt: expect.any(String) });
    const setCookie = opened.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^keyward_dashboard=[A-Za-z0-9_-]{43}; Max-Age=900; Path=\/admin\/queues; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(opsKey.body.key);
    const cookie = setCookie.split(';')[0];
    // behind a TLS-terminating proxy the cookie is Secure, even when the proxy is not trusted for addresses
    const behindTls = await fetch(`${s.url}/v1/system/dashboard-session`, {
      method: 'POST',
      headers: { 'x-api-key': opsKey.body.key, 'x-forwarded-proto': 'https' },
    });
    expect(behindTls.headers.get('set-cookie')).toMatch(/; Secure; SameSite=Strict$/);

    const withCookie = (path: string) => fetch(`${s.url}${path}`, { headers: { cookie } });
    expect((await withCookie('/admin/queues')).status).toBe(200);
    expect((await withCookie('/admin/queues/api/queues')).status).toBe(200);
    // the cookie opens nothing else
    expect((await withCookie('/v1/me')).status).toBe(401);
    // a made-up token is no session
    const forged = await fetch(`${s.url}/admin/queues`, { headers: { cookie: `keyward_dashboard=${'A'.repeat(43)}` } });
    expect(forged.status).toBe(401);
    expect((await forged.json()).code).toBe('DASHBOARD_SESSION_ENDED');

    // revoking the key ends its sessions at once
    expect((await call(s.url, 'POST', `/v1/keys/${opsKey.body.id}/revoke`, { key: s.admin.key, body: {} })).status).toBe(200);
    expect((await withCookie('/admin/queues/api/queues')).status).toBe(401);

    // sign-out: DELETE ends every session of the calling key and clears the cookie
    const again = await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'POST', headers: { 'x-api-key': s.admin.key } });
    const adminCookie = (again.headers.get('set-cookie') ?? '').split(';')[0];
    const otherBrowser = await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'POST', headers: { 'x-api-key': s.admin.key } });
    const otherCookie = (otherBrowser.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await fetch(`${s.url}/admin/queues`, { headers: { cookie: adminCookie } })).status).toBe(200);
    expect((await fetch(`${s.url}/admin/queues`, { headers: { cookie: otherCookie } })).status).toBe(200);
    const closed = await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'DELETE', headers: { 'x-api-key': s.admin.key } });
    expect(closed.status).toBe(204);
    expect(closed.headers.get('set-cookie')).toMatch(/^keyward_dashboard=; Path=\/admin\/queues; Expires=Thu, 01 Jan 1970/);
    expect((await fetch(`${s.url}/admin/queues`, { headers: { cookie: adminCookie } })).status).toBe(401);
    expect((await fetch(`${s.url}/admin/queues`, { headers: { cookie: otherCookie } })).status).toBe(401);

    // only admin.system.api keys of the operator company may open one
    const ro = await call(s.url, 'POST', '/v1/system/dashboard-session', { key: readonlyKey });
    expect(ro.status).toBe(403);
    const tenant = await call(s.url, 'POST', '/v1/system/dashboard-session', { key: await otherCompanyAdmin(s) });
    expect(tenant.status).toBe(403);
    expect(tenant.body.code).toBe('NOT_INSTALLATION_OPERATOR');
  });
});

describe('protected docs and metrics by configuration', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ DOCS_PUBLIC: 'false', METRICS_PUBLIC: 'false' });
  });
  afterAll(async () => s?.close());

  it('needs a key for /docs and an admin key for /metrics', async () => {
    expect((await fetch(`${s.url}/docs`)).status).toBe(401);
    expect((await fetch(`${s.url}/docs`, { headers: { 'x-api-key': s.admin.key } })).status).toBe(200);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.admin.key}` } })).status).toBe(200);
    const tenant = await fetch(`${s.url}/metrics`, { headers: { 'x-api-key': await otherCompanyAdmin(s) } });
    expect(tenant.status).toBe(403);
    expect((await tenant.json()).code).toBe('NOT_INSTALLATION_OPERATOR');
  });

  it('reads keys the way the guard does: api-key, any-case bearer, and two different keys refused', async () => {
    const other = await otherCompanyAdmin(s);
    for (const path of ['/docs', '/metrics', '/admin/queues']) {
      const status = async (headers: Record<string, string>) => (await fetch(`${s.url}${path}`, { headers })).status;
      expect({ path, status: await status({ 'api-key': s.admin.key }) }).toEqual({ path, status: 200 });
      expect({ path, status: await status({ authorization: `bearer ${s.admin.key}` }) }).toEqual({ path, status: 200 });
      const ambiguous = await fetch(`${s.url}${path}`, { headers: { 'x-api-key': other, authorization: `Bearer ${s.admin.key}` } });
      expect({ path, status: ambiguous.status, code: (await ambiguous.json()).code }).toEqual({ path, status: 401, code: 'AMBIGUOUS_API_KEY' });
    }
  });
});

describe('every path of the OpenAPI document and playground follows DOCS_PUBLIC=false', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ DOCS_PUBLIC: 'false' });
  });
  afterAll(async () => s?.close());

  it.each(DOCS_PATHS)('%s: 401 without a key, 200 with one', async (path) => {
    const anonymous = await call(s.url, 'GET', path);
    expect({ status: anonymous.status, code: anonymous.body?.code, wwwAuthenticate: anonymous.headers.get('www-authenticate') }).toEqual({
      status: 401,
      code: 'MISSING_API_KEY',
      wwwAuthenticate: 'Bearer',
    });
    expect((await call(s.url, 'GET', path, { key: 'kw_not-a-key' })).status).toBe(401);
    expect((await fetch(`${s.url}${path}`, { headers: { 'x-api-key': s.admin.key } })).status).toBe(200);
  });

  it('gates /docs-json, the module\'s default JSON path, too', async () => {
    expect((await call(s.url, 'GET', '/docs-json')).status).toBe(401);
    expect((await call(s.url, 'GET', '/docs-yaml?format=json')).status).toBe(401);
  });
});

describe('the web console by configuration', () => {
  it('is not served with CONSOLE_ENABLED=false', async () => {
    const s = await startStack({ CONSOLE_ENABLED: 'false' });
    try {
      expect((await fetch(`${s.url}/console/keys`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('answers 409 CONSOLE_NOT_BUILT (a settled state of the installation, not an outage), naming what to run, when its build is missing', async () => {
    const s = await startStack({ CONSOLE_DIR: '/nonexistent/keyward-console' });
    try {
      const page = await call(s.url, 'GET', '/console/');
      expect(page.status).toBe(409);
      expect(page.body).toMatchObject({ code: 'CONSOLE_NOT_BUILT', detail: expect.stringContaining('npm run build') });
      // the API itself is unaffected
      expect((await call(s.url, 'GET', '/v1/me', { key: s.admin.key })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
