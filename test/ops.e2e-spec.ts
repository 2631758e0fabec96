import { Stack, call, startStack } from './support/stack';

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
  });
});
