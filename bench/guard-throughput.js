// @ts-check
'use strict';
/**
 * What the API-key guard costs: autocannon against one API process, first a public route
 * (GET /health/live), then a guarded one (GET /v1/me with a valid key whose cache entry is warm),
 * with the same connections and duration, then the bare NestJS reference (bench/reference/nest-app.js,
 * same adapter, no Keyward) on its public route. Prints requests/s, p50/p99 latency and both ratios:
 * guarded ÷ public (what the guard costs) and Keyward public ÷ bare Nest public (what the rest of
 * Keyward's request path costs).
 *
 *   node bench/guard-throughput.js
 *   BENCH_CONNECTIONS=50 BENCH_DURATION=10 BENCH_WARMUP=2 node bench/guard-throughput.js
 *
 * Needs `npm run build`. autocannon runs in this process, on the same machine as the API: on a
 * small machine the two compete for CPU, which holds for both routes alike.
 */
const autocannon = require('autocannon');
const { Client } = require('pg');
const { benchEnv, cpuMs, createCompany, envInt, loadFigures, machine, printTable, run, send, startProcess } = require('./lib');

const connections = envInt('BENCH_CONNECTIONS', 50);
const duration = envInt('BENCH_DURATION', 10);
const warmup = envInt('BENCH_WARMUP', 2);

/** @returns {Promise<import('autocannon').Result>} */
function load(url, seconds, headers = {}) {
  return autocannon({ url, connections, duration: seconds, headers });
}

/**
 * A load with the server's CPU time (user + system, all its threads) per answered request: on a
 * shared machine it moves less between runs than req/s, which also depends on what else runs.
 */
async function measured(pid, url, seconds, headers = {}) {
  const cpuBefore = cpuMs(pid);
  const result = await load(url, seconds, headers);
  const cpuAfter = cpuMs(pid);
  const cpuUs = cpuBefore === undefined || cpuAfter === undefined ? undefined : Math.round(((cpuAfter - cpuBefore) * 1000) / result.requests.total);
  return { result, cpuUs };
}

/** Committed and rolled-back transactions of the bench database so far, from pg_stat_database. */
async function dbTransactions(url) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

run(async () => {
  // a limit no run can reach: the figure is the guard's cost, not the rate limiter refusing
  const { env } = await benchEnv({ DEFAULT_RATE_LIMIT: '1000000000', DEFAULT_RATE_LIMIT_WINDOW_SECONDS: '60' });
  const company = await createCompany(env);
  const api = await startProcess('api', env);
  const key = company.key;

  const check = await send(api.url, 'GET', '/v1/me', key);
  if (check.status !== 200) throw new Error(`GET /v1/me with the bench key answered ${check.status}`);

  const publicUrl = `${api.url}/health/live`;
  const guardedUrl = `${api.url}/v1/me`;
  const auth = { 'x-api-key': key };
  process.stderr.write(`warming up (${warmup} s each), then ${duration} s per route with ${connections} connections…\n`);
  await load(publicUrl, warmup);
  await load(guardedUrl, warmup, auth);
  const { result: pub, cpuUs: pubCpu } = await measured(api.pid, publicUrl, duration);
  const before = await dbTransactions(env.DATABASE_URL);
  const { result: guarded, cpuUs: guardedCpu } = await measured(api.pid, guardedUrl, duration, auth);
  await new Promise((r) => setTimeout(r, 1500)); // Postgres publishes its statistics about once a second
  const dbPerRequest = ((await dbTransactions(env.DATABASE_URL)) - before) / guarded.requests.total;
  await api.stop(); // the reference gets the machine to itself, as the API had

  const nest = await startProcess('nest-reference', {});
  const nestUrl = `${nest.url}/health`;
  await load(nestUrl, warmup);
  const { result: bare, cpuUs: bareCpu } = await measured(nest.pid, nestUrl, duration);

  const rows = [
    { ...loadFigures('GET /health/live (public)', pub), 'server CPU µs/req': pubCpu ?? '–' },
    { ...loadFigures('GET /v1/me (guarded)', guarded), 'server CPU µs/req': guardedCpu ?? '–' },
    { ...loadFigures('bare NestJS GET /health', bare), 'server CPU µs/req': bareCpu ?? '–' },
  ];
  const ratioOf = (a, b) => Math.round((a.requests.average / b.requests.average) * 1000) / 1000;
  const ratio = ratioOf(guarded, pub);
  const publicRatio = ratioOf(pub, bare);
  process.stdout.write(`\nguard throughput — ${connections} connections, ${duration} s per route, one API process\n\n`);
  printTable(rows, Object.keys(rows[0]));
  process.stdout.write(`\nguarded ÷ public (req/s): ${ratio}   (goal ≥ 0.85)\n`);
  process.stdout.write(`Keyward public ÷ bare NestJS public (req/s): ${publicRatio}   (goal ≥ 0.8)\n`);
  process.stdout.write(`guarded ÷ bare NestJS public (req/s): ${ratioOf(guarded, bare)}\n`);
  const cpuRatio = (a, b) => (a && b ? Math.round((b / a) * 1000) / 1000 : undefined);
  const cpuRatios = { guardedPublic: cpuRatio(guardedCpu, pubCpu), publicBare: cpuRatio(pubCpu, bareCpu) };
  if (cpuRatios.guardedPublic !== undefined) {
    process.stdout.write(`the same ratios from server CPU per request (public µs ÷ guarded µs, bare ÷ public): ${cpuRatios.guardedPublic}, ${cpuRatios.publicBare}\n`);
  }
  process.stdout.write(`database transactions per guarded request: ${dbPerRequest.toFixed(4)} (about 0: answered from the cache)\n`);
  const bad = [pub, guarded, bare].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  if (bad > 0) process.stdout.write(`WARNING: ${bad} responses were not 2xx or failed: the figures are not clean\n`);

  const json = {
    bench: 'guard-throughput',
    date: new Date().toISOString(),
    machine: machine(),
    connections,
    durationSeconds: duration,
    public: rows[0],
    guarded: rows[1],
    bareNest: rows[2],
    ratio,
    publicRatio,
    cpuRatios,
    dbTransactionsPerGuardedRequest: Number(dbPerRequest.toFixed(4)),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  return bad > 0 ? 1 : 0;
});
