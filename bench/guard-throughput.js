// @ts-check
'use strict';
/**
 * What the API-key guard costs: autocannon against one API process, first a public route
 * (GET /health/live), then a guarded one (GET /v1/me with a valid key whose cache entry is warm),
 * with the same connections and duration, then the bare NestJS reference (bench/reference/nest-app.js,
 * on the API's HTTP adapter, API_ADAPTER in bench/lib.js; no Keyward) on its public route and on /floor, behind the least a guard with a usage
 * trail and rate-limit headers does. Prints requests/s, p50/p99 latency, the server's CPU per request
 * and the ratios: guarded ÷ public (what the guard costs), Keyward public ÷ bare Nest public (what
 * the rest of Keyward's request path costs), and bare /floor ÷ bare /health (what Nest itself leaves
 * any such guard: the ceiling of the first ratio on this adapter and machine).
 *
 * Each pair of routes is loaded in alternating rounds (BENCH_ROUNDS, each BENCH_DURATION ÷ rounds
 * seconds per route): a ratio is taken per round, between loads a few seconds apart, and the
 * median of the rounds is printed with each round's. On a shared machine whose speed drifts by
 * ±25 % over minutes, one long load per route measures the drift as much as the routes.
 *
 *   node bench/guard-throughput.js
 *   BENCH_CONNECTIONS=50 BENCH_DURATION=10 BENCH_ROUNDS=5 BENCH_WARMUP=2 node bench/guard-throughput.js
 *
 * Needs `npm run build`. autocannon runs in this process, on the same machine as the API. With
 * two CPUs or more (and Linux's taskset), the server under load is pinned to the last CPU and this
 * process to the first (BENCH_PIN=0 leaves both free); the output says which.
 */
const autocannon = require('autocannon');
const { Client } = require('pg');
const { API_ADAPTER, benchEnv, cpuMs, createCompany, median, mergedResults, pinToCpu, envInt, loadFigures, machine, printTable, run, send, startProcess } = require('./lib');

const connections = envInt('BENCH_CONNECTIONS', 50);
const duration = envInt('BENCH_DURATION', 10);
const rounds = envInt('BENCH_ROUNDS', 5);
const pin = process.env.BENCH_PIN !== '0';
const cpuCount = require('node:os').cpus().length;

/** The server on the last CPU, this process (autocannon) on the first: true when both were pinned. */
function pinned(serverPid) {
  return pin && pinToCpu(serverPid, cpuCount - 1) && pinToCpu(process.pid, 0);
}
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
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { result, cpu };
}

/**
 * Two routes of one server in alternating rounds. Each side: the rounds' results and CPU, its
 * figures over all rounds, and per round the ratio b ÷ a of req/s and a ÷ b of CPU per request.
 */
async function alternate(pid, a, b) {
  const seconds = Math.max(1, Math.round(duration / rounds));
  const sides = [a, b].map(() => ({ results: [], cpu: 0, requests: 0, cpuKnown: true }));
  const ratios = { rps: [], cpu: [] };
  for (let i = 0; i < rounds; i++) {
    const round = [];
    for (const [j, side] of [a, b].entries()) {
      const m = await measured(pid, side.url, seconds, side.headers);
      sides[j].results.push(m.result);
      sides[j].requests += m.result.requests.total;
      if (m.cpu === undefined) sides[j].cpuKnown = false;
      else sides[j].cpu += m.cpu;
      round.push(m);
    }
    ratios.rps.push(round[1].result.requests.average / round[0].result.requests.average);
    if (round[0].cpu !== undefined && round[1].cpu !== undefined) {
      ratios.cpu.push(round[0].cpu / round[0].result.requests.total / (round[1].cpu / round[1].result.requests.total));
    }
  }
  const figures = sides.map((side, j) => ({
    ...loadFigures([a, b][j].name, mergedResults(side.results)),
    'server CPU µs/req': side.cpuKnown ? Math.round((side.cpu * 1000) / side.requests) : '–',
  }));
  return { figures, bad: sides.flatMap((s) => s.results), ratios: { rps: ratios.rps.map(round3), cpu: ratios.cpu.map(round3) } };
}

const round3 = (x) => Math.round(x * 1000) / 1000;

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

  const isPinned = pinned(api.pid);
  const publicRoute = { name: 'GET /health/live (public)', url: `${api.url}/health/live`, headers: {} };
  const guardedRoute = { name: 'GET /v1/me (guarded)', url: `${api.url}/v1/me`, headers: { 'x-api-key': key } };
  process.stderr.write(`warming up (${warmup} s each), then ${rounds} alternating rounds, ${duration} s per route in all, ${connections} connections…\n`);
  await load(publicRoute.url, warmup);
  await load(guardedRoute.url, warmup, guardedRoute.headers);
  const before = await dbTransactions(env.DATABASE_URL);
  const keyward = await alternate(api.pid, publicRoute, guardedRoute);
  await new Promise((r) => setTimeout(r, 1500)); // Postgres publishes its statistics about once a second
  const guardedRequests = keyward.bad.filter((_, i) => i % 2 === 1).reduce((n, r) => n + r.requests.total, 0);
  const dbPerRequest = ((await dbTransactions(env.DATABASE_URL)) - before) / guardedRequests;
  await api.stop(); // the reference gets the machine to itself, as the API had

  const nest = await startProcess('nest-reference', { ADAPTER: API_ADAPTER });
  pinned(nest.pid);
  const bareRoute = { name: `bare NestJS (${API_ADAPTER}) GET /health`, url: `${nest.url}/health`, headers: {} };
  const floorRoute = { name: `bare NestJS (${API_ADAPTER}) GET /floor (least guard)`, url: `${nest.url}/floor`, headers: {} };
  await load(bareRoute.url, warmup);
  await load(floorRoute.url, warmup);
  const reference = await alternate(nest.pid, bareRoute, floorRoute);

  const rows = [...keyward.figures, ...reference.figures];
  const rps = (row) => row['req/s'];
  const cpu = (row) => row['server CPU µs/req'];
  const ratio = round3(median(keyward.ratios.rps));
  const publicRatio = round3(rps(rows[0]) / rps(rows[2]));
  const floorRatio = round3(median(reference.ratios.rps));
  const cpuRatios = typeof cpu(rows[0]) === 'number'
    ? { guardedPublic: round3(median(keyward.ratios.cpu)), publicBare: round3(cpu(rows[2]) / cpu(rows[0])), floorBare: round3(median(reference.ratios.cpu)) }
    : undefined;

  process.stdout.write(`\nguard throughput — ${connections} connections, ${rounds} alternating rounds, ${duration} s per route in all, one server process${isPinned ? `, pinned to CPU ${cpuCount - 1} (autocannon to CPU 0)` : ', not pinned'}\n\n`);
  printTable(rows, Object.keys(rows[0]));
  process.stdout.write(`\nguarded ÷ public (req/s, median of rounds): ${ratio}   (goal ≥ 0.85)   rounds: ${keyward.ratios.rps.join(', ')}\n`);
  process.stdout.write(`Keyward public ÷ bare NestJS public (req/s, whole loads): ${publicRatio}   (goal ≥ 0.8)\n`);
  process.stdout.write(`guarded ÷ bare NestJS public (req/s): ${round3(rps(rows[1]) / rps(rows[2]))}\n`);
  process.stdout.write(
    `bare NestJS /floor ÷ /health (req/s, median of rounds): ${floorRatio}   (what Nest leaves the least such guard: the first ratio's ceiling here)   rounds: ${reference.ratios.rps.join(', ')}\n`,
  );
  if (cpuRatios) {
    process.stdout.write(
      `the same from server CPU per request — public µs ÷ guarded µs ${cpuRatios.guardedPublic} (rounds: ${keyward.ratios.cpu.join(', ')}), bare ÷ public ${cpuRatios.publicBare}, bare ÷ floor ${cpuRatios.floorBare}\n`,
    );
  }
  process.stdout.write(`database transactions per guarded request: ${dbPerRequest.toFixed(4)} (about 0: answered from the cache)\n`);
  const bad = [...keyward.bad, ...reference.bad].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  if (bad > 0) process.stdout.write(`WARNING: ${bad} responses were not 2xx or failed: the figures are not clean\n`);

  const json = {
    bench: 'guard-throughput',
    date: new Date().toISOString(),
    machine: machine(),
    connections,
    durationSeconds: duration,
    adapter: API_ADAPTER,
    rounds,
    pinned: isPinned,
    public: rows[0],
    guarded: rows[1],
    bareNest: rows[2],
    bareNestFloor: rows[3],
    ratio,
    ratioRounds: keyward.ratios.rps,
    publicRatio,
    floorRatio,
    cpuRatios,
    dbTransactionsPerGuardedRequest: Number(dbPerRequest.toFixed(4)),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  return bad > 0 ? 1 : 0;
});
