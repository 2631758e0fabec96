// @ts-check
'use strict';
/**
 * Where the API spends its CPU on a public and on a guarded request: the set-up of
 * guard-throughput.js (one API, no worker, limit out of reach), with V8's sampling profiler
 * running inside the API (cpu-profile-hook.js) during each load. Prints, per route, the API's
 * CPU time per request split by who caused it (the innermost package or app file on the stack:
 * logging, passport, the rate limiter's Redis client, …), and writes both .cpuprofile files.
 *
 *   node bench/profile-guard.js
 *   BENCH_DURATION=10 BENCH_PROFILE_OUT=/tmp/keyward-api node bench/profile-guard.js
 *
 * The profiler costs throughput itself: the req/s printed here are not figures to compare.
 */
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { benchEnv, cpuProfileShares, createCompany, envInt, run, send, startProcess, waitForProfile } = require('./lib');

const connections = envInt('BENCH_CONNECTIONS', 50);
const duration = envInt('BENCH_DURATION', 10);
const out = process.env.BENCH_PROFILE_OUT || path.join(os.tmpdir(), `keyward-api-${process.pid}`);

/**
 * Innermost match wins; node: frames only when nothing else is on the stack.
 * @type {[RegExp, string][]}
 */
const BUCKETS = [
  [/pino|@pinojs|sonic-boom|observability\/src\/logging/, 'logging'],
  [/rate-limits\.js|rate-limiter-flexible/, 'rate limiter'],
  [/bullmq|usage-buffer/, 'usage buffer + BullMQ'],
  [/usage\.middleware/, 'usage middleware'],
  [/metrics\.middleware|prom-client/, 'metrics'],
  [/key-format\.js/, 'key shape + HMAC'],
  [/key-lookup|auth-cache|auth-record|cache-coherence|lru-cache|ipaddr/, 'key lookup + cache'],
  [/passport/, 'passport + @nestjs/passport'],
  [/api-key\.guard/, 'guard'],
  [/ioredis|redis-parser/, 'ioredis (rate-limit counts, leases)'],
  [/request-guards|body-parser|raw-body|type-is|content-type/, 'body / clean-input middleware'],
  [/@nestjs\/|rxjs|reflect-metadata|iterare/, 'Nest core'],
  [/@fastify\/middie|path-to-regexp/, 'middie (middleware runner)'],
  [/fastify|find-my-way|light-my-request|avvio|proxy-addr|etag\.hook|fast-json-stringify|safe-regex/, 'fastify (routing, hooks, reply)'],
  [/express|\/router\/|parseurl|on-finished|forwarded|fresh/, 'express (body-parser and its helpers)'],
  [/^\S* node:/, 'node http/net/streams'],
];

run(async () => {
  const { env } = await benchEnv({ DEFAULT_RATE_LIMIT: '1000000000', DEFAULT_RATE_LIMIT_WINDOW_SECONDS: '60' });
  const company = await createCompany(env);
  const api = await startProcess('api', {
    ...env,
    NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile-hook.js')}`,
    BENCH_PROFILE_OUT: out,
  });
  if ((await send(api.url, 'GET', '/v1/me', company.key)).status !== 200) throw new Error('GET /v1/me with the bench key failed');
  const auth = { 'x-api-key': company.key };
  const routes = [
    ['GET /health/live (public)', `${api.url}/health/live`, {}],
    ['GET /v1/me (guarded)', `${api.url}/v1/me`, auth],
  ];
  for (const [, url, headers] of routes) await autocannon({ url, connections, duration: 2, headers });
  let n = 0;
  const results = [];
  for (const [route, url, headers] of routes) {
    process.kill(/** @type {number} */ (api.pid), 'SIGWINCH');
    await new Promise((r) => setTimeout(r, 200));
    const r = await autocannon({ url, connections, duration, headers });
    process.kill(/** @type {number} */ (api.pid), 'SIGWINCH');
    const file = `${out}.${n++}.cpuprofile`;
    await waitForProfile(file);
    const { perUnitUs: perRequestUs, ...shares } = cpuProfileShares(file, BUCKETS, r.requests.total);
    const profile = { ...shares, perRequestUs };
    results.push({ route, file, requests: r.requests.total, ...profile });
    process.stdout.write(`\n${route}: ${r.requests.total} requests under the profiler, API CPU ${(profile.busyUs / 1e6).toFixed(2)} s = ${profile.perRequestUs.toFixed(0)} µs per request (${file})\n`);
    for (const row of profile.rows) process.stdout.write(`  ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.us.toFixed(0).padStart(4)} µs  ${row.k}\n`);
  }
  process.stdout.write(`${JSON.stringify({ bench: 'profile-guard', date: new Date().toISOString(), results: results.map(({ rows, ...r }) => ({ ...r, rows: rows.map((x) => ({ ...x, us: Math.round(x.us) })) })) })}\n`);
  return 0;
});
