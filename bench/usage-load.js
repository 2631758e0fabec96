// @ts-check
'use strict';
/**
 * The usage trail under sustained load: one API process and one worker, usage and rate limits on.
 *
 * 1. Guarded ÷ public: autocannon on GET /health/live and on GET /v1/me (the company's admin
 *    key), BENCH_COMPARE_SECONDS each in all after a short warm-up, with the same connections, in
 *    BENCH_COMPARE_ROUNDS alternating rounds: the ratio printed is the median of the rounds' (each
 *    round printed), as in guard-throughput.js — this machine's speed drifts within minutes.
 * 2. Sustained load: autocannon on GET /v1/me with a second key for BENCH_SECONDS, every request
 *    with its own X-Request-Id. Meanwhile a probe every BENCH_PROBE_MS sends one tagged request
 *    with the same key and notes when its response arrived; a poller looks the tagged request ids
 *    up in the events table every BENCH_POLL_MS and notes when each KeyUsed event is there: the
 *    difference is the usage lag (response read → event stored).
 * 3. Stop the API gracefully the moment the load has ended (SIGTERM, wait for exit; its shutdown
 *    hooks must flush the usage buffer, which still holds the last flush interval's records),
 *    wait until the worker has appended everything (the KeyUsed count reaches the responses, or
 *    stops growing with the usage queue idle, or BENCH_SETTLE_SECONDS pass), then compare:
 *    KeyUsed events stored must EQUAL the responses received with each key (MATCH/MISMATCH).
 *
 *   node bench/usage-load.js
 *   BENCH_SECONDS=20 BENCH_COMPARE_SECONDS=5 node bench/usage-load.js
 *
 * autocannon is stopped cleanly: at the deadline each connection finishes the request it has in
 * flight and closes, so every request the API answered is a response counted here (a plain
 * `duration` run destroys the sockets with requests in flight, which the API may still record).
 * Exits with 1 on a mismatch, a non-2xx response or a client error. Never prints a key.
 */
const autocannon = require('autocannon');
const { Queue } = require('bullmq');
const { Client } = require('pg');
const { benchEnv, createCompany, envInt, machine, median, mergedResults, printTable, run, startProcess, summary } = require('./lib');

const seconds = envInt('BENCH_SECONDS', 60);
const compareSeconds = envInt('BENCH_COMPARE_SECONDS', 10);
const compareRounds = envInt('BENCH_COMPARE_ROUNDS', 5);
const warmup = envInt('BENCH_WARMUP', 2);
const connections = envInt('BENCH_CONNECTIONS', 50);
const probeEveryMs = envInt('BENCH_PROBE_MS', 100);
const pollEveryMs = envInt('BENCH_POLL_MS', 20);
const settleSeconds = envInt('BENCH_SETTLE_SECONDS', 120);
/** Probes stop this long before the load does, so that every probe is flushed by the timer under load. */
const PROBE_TAIL_MS = 1_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, d = 0) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * autocannon for `seconds`, then a clean stop: every connection closes after the response to the
 * request it has in flight. `requestId`, when given, names each request (X-Request-Id); `onDone`
 * runs the moment the last connection has closed (autocannon itself reports up to 1 s later).
 * @returns {Promise<{ result: any, responses: number, elapsedMs: number }>}
 */
async function load(url, secs, { headers = {}, requestId = undefined, onDone = () => {} } = {}) {
  /** @type {any[]} */
  const clients = [];
  let done = 0;
  let doneAt = 0;
  const started = performance.now();
  /** @type {any} */
  const opts = {
    url,
    connections,
    duration: secs + 60, // safety net only: the clean stop below ends the run
    headers,
    setupClient: (client) => {
      clients.push(client);
      client.once('done', () => {
        if (++done === connections) {
          doneAt = performance.now();
          onDone();
        }
      });
    },
  };
  if (requestId) {
    opts.requests = [
      {
        method: 'GET',
        path: new URL(url).pathname,
        setupRequest: (req) => {
          req.headers['x-request-id'] = requestId();
          return req;
        },
      },
    ];
  }
  const timer = setTimeout(() => {
    for (const client of clients) client.responseMax = 1; // the next response ends this connection
  }, secs * 1000);
  const result = await autocannon(opts);
  clearTimeout(timer);
  const responses = ['1xx', '2xx', '3xx', '4xx', '5xx'].reduce((n, k) => n + (result[k] ?? 0), 0);
  return { result, responses, elapsedMs: (doneAt || performance.now()) - started };
}

/** Several loads of one route as one: responses and time summed, autocannon's results merged. */
function mergedLoads(loads) {
  return {
    responses: loads.reduce((n, l) => n + l.responses, 0),
    elapsedMs: loads.reduce((n, l) => n + l.elapsedMs, 0),
    result: mergedResults(loads.map((l) => l.result)),
  };
}

function figures(route, { result, responses, elapsedMs }) {
  return {
    route,
    responses,
    'req/s': Math.round(responses / (elapsedMs / 1000)),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    'max ms': result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

run(async () => {
  // the limiter runs on every request but never refuses: the figures are the guard's and usage's cost
  const { env } = await benchEnv({ DEFAULT_RATE_LIMIT: '1000000000', DEFAULT_RATE_LIMIT_WINDOW_SECONDS: '60' });
  const company = await createCompany(env);
  const [, api] = await Promise.all([startProcess('worker', env), startProcess('api', env)]);
  const sql = new Client({ connectionString: env.DATABASE_URL });
  await sql.connect();
  const usageQueue = new Queue('usage', { connection: { url: env.REDIS_URL }, prefix: `${env.REDIS_PREFIX}:bull` });
  try {
    /** Responses received with each key: each must be one KeyUsed event in the end. */
    const responses = { admin: 0, load: 0 };
    let clientErrors = 0;
    const adminKey = company.key;
    const adminKeyId = company.keyId;

    /** One request with our own fetch (never logged: the key is in the headers only). */
    async function get(path, key, requestId) {
      const headers = { 'x-api-key': key };
      if (requestId) headers['x-request-id'] = requestId;
      const res = await fetch(api.url + path, { headers });
      const text = await res.text();
      return { status: res.status, text };
    }

    // the load key: a second key of the company, created through the API (the admin key's use counts)
    const createdRes = await fetch(`${api.url}/v1/keys`, {
      method: 'POST',
      headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'usage-load' }),
    });
    responses.admin += 1;
    if (createdRes.status !== 201) throw new Error(`POST /v1/keys answered ${createdRes.status}`);
    const loadKey = /** @type {{ id: string, key: string }} */ (await createdRes.json());
    const check = await get('/v1/me', loadKey.key);
    responses.load += 1;
    if (check.status !== 200) throw new Error(`GET /v1/me with the load key answered ${check.status}`);

    async function keyUsed(keyId) {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS total, count(DISTINCT data->>'requestId')::int AS distinct_ids
           FROM events WHERE type = 'KeyUsed' AND company_id = $1 AND data->>'keyId' = $2`,
        [company.companyId, keyId],
      );
      return { total: rows[0].total, distinct: rows[0].distinct_ids };
    }

    // ------------------------------------------------ 1. guarded ÷ public
    const adminHeaders = { 'x-api-key': adminKey };
    process.stderr.write(`guarded ÷ public: warm-up ${warmup} s per route, then ${compareSeconds} s per route, ${connections} connections…\n`);
    await load(`${api.url}/health/live`, warmup);
    responses.admin += (await load(`${api.url}/v1/me`, warmup, { headers: adminHeaders })).responses;
    const roundSeconds = Math.max(1, Math.round(compareSeconds / compareRounds));
    const pubLoads = [];
    const guardedLoads = [];
    for (let i = 0; i < compareRounds; i++) {
      pubLoads.push(await load(`${api.url}/health/live`, roundSeconds));
      guardedLoads.push(await load(`${api.url}/v1/me`, roundSeconds, { headers: adminHeaders }));
    }
    const pub = mergedLoads(pubLoads);
    const guarded = mergedLoads(guardedLoads);
    responses.admin += guarded.responses;
    clientErrors += pub.result.errors + pub.result.timeouts + guarded.result.errors + guarded.result.timeouts;
    const roundRatios = guardedLoads.map((g, i) => round(g.responses / g.elapsedMs / (pubLoads[i].responses / pubLoads[i].elapsedMs), 3));
    const ratio = round(median(roundRatios), 3);

    // let the worker catch up with the comparison's usage before the sustained run (bounded)
    const catchUpStart = performance.now();
    while ((await keyUsed(adminKeyId)).total < responses.admin && performance.now() - catchUpStart < settleSeconds * 1000) await sleep(200);

    // ------------------------------------------------ 2. sustained load + lag probes
    const runTag = Math.random().toString(36).slice(2, 8);
    let loadSeq = 0;
    /** @type {Map<string, number>} probe request id → when its response had been read */
    const outstanding = new Map();
    /** @type {number[]} */
    const lags = [];
    let probesSent = 0;
    let probeFailures = 0;
    let probing = true;
    let polling = true;

    const probeLoop = (async () => {
      const inflight = [];
      for (let i = 0; probing; i++) {
        const id = `lag-${runTag}-${i}`;
        probesSent += 1;
        inflight.push(
          get('/v1/me', loadKey.key, id).then(
            (r) => {
              responses.load += 1;
              if (r.status !== 200) probeFailures += 1;
              outstanding.set(id, performance.now());
            },
            () => {
              probeFailures += 1;
              clientErrors += 1;
            },
          ),
        );
        await sleep(probeEveryMs);
      }
      await Promise.all(inflight);
    })();

    const pollLoop = (async () => {
      while (polling) {
        if (outstanding.size > 0) {
          const ids = [...outstanding.keys()];
          // metadata->>'requestId' equals data->>'requestId' and has an index (events_company_request)
          const { rows } = await sql.query(
            `SELECT metadata->>'requestId' AS id FROM events
              WHERE company_id = $1 AND metadata->>'requestId' = ANY($2::text[]) AND type = 'KeyUsed' AND data->>'keyId' = $3`,
            [company.companyId, ids, loadKey.id],
          );
          const foundAt = performance.now();
          for (const { id } of rows) {
            const respondedAt = outstanding.get(id);
            if (respondedAt === undefined) continue;
            lags.push(foundAt - respondedAt);
            outstanding.delete(id);
          }
        }
        await sleep(pollEveryMs);
      }
    })();

    process.stderr.write(`sustained load: ${seconds} s on GET /v1/me, ${connections} connections, a lag probe every ${probeEveryMs} ms…\n`);
    const probeStop = setTimeout(() => (probing = false), Math.max(0, seconds * 1000 - PROBE_TAIL_MS));
    // 3. the graceful stop starts the moment the last load connection has closed, while the API
    // still holds the records of its last flush interval: the shutdown flush must hand them over
    let stopStart = 0;
    /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }> | undefined} */
    let stopping;
    const sustained = await load(`${api.url}/v1/me`, seconds, {
      headers: { 'x-api-key': loadKey.key },
      requestId: () => `load-${runTag}-${++loadSeq}`,
      onDone: () => {
        stopStart = performance.now();
        stopping = api.stop(); // SIGTERM; resolves once the process has exited
      },
    });
    clearTimeout(probeStop);
    probing = false;
    await probeLoop;
    responses.load += sustained.responses;
    clientErrors += sustained.result.errors + sustained.result.timeouts;

    // ------------------------------------------------ 3. graceful stop, then count
    if (!stopping) {
      stopStart = performance.now();
      stopping = api.stop();
    }
    const apiExit = await stopping;
    const stopMs = performance.now() - stopStart;
    const lostWarnings = (api.output().match(/usage batch not handed over/g) ?? []).length;

    const settleStart = performance.now();
    let stored = await keyUsed(loadKey.id);
    let lastChange = performance.now();
    for (;;) {
      if (stored.total === responses.load) break;
      const elapsed = performance.now() - settleStart;
      if (elapsed > settleSeconds * 1000) break;
      if (performance.now() - lastChange > 5_000) {
        const c = await usageQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(c).every((n) => n === 0)) break; // stopped growing and nothing left to append
      }
      await sleep(200);
      const next = await keyUsed(loadKey.id);
      if (next.total !== stored.total) lastChange = performance.now();
      stored = next;
    }
    const settleMs = performance.now() - settleStart;
    // the probes that were never found (a loss shows here too)
    const pollGrace = performance.now();
    while (outstanding.size > 0 && performance.now() - pollGrace < 2_000) await sleep(pollEveryMs);
    polling = false;
    await pollLoop;
    const adminStored = await keyUsed(adminKeyId);
    const queueCounts = await usageQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
    const { rows: lastUsed } = await sql.query('SELECT last_used_at FROM api_keys WHERE id = $1', [loadKey.id]);

    const loadMatch = stored.total === responses.load && stored.distinct === stored.total;
    const adminMatch = adminStored.total === responses.admin;
    const lag = summary(lags);
    const sustainedRow = figures('GET /v1/me (sustained, unique x-request-id)', sustained);

    // ------------------------------------------------ output
    process.stdout.write(`\nusage load — one API process and one worker, ${connections} connections, usage and rate limits on\n\n`);
    process.stdout.write(`guarded ÷ public, ${compareSeconds} s per route in ${compareRounds} alternating rounds:\n\n`);
    const compareRows = [figures('GET /health/live (public)', pub), figures('GET /v1/me (guarded)', guarded)];
    printTable(compareRows, Object.keys(compareRows[0]));
    process.stdout.write(`\nguarded ÷ public (req/s, median of rounds): ${ratio}   rounds: ${roundRatios.join(', ')}\n\n`);
    process.stdout.write(`sustained load, ${seconds} s (measured ${round(sustained.elapsedMs / 1000, 1)} s):\n\n`);
    printTable([sustainedRow], Object.keys(sustainedRow));
    process.stdout.write(
      `\nusage lag (probe response read → its KeyUsed event found; poll every ${pollEveryMs} ms), ms:\n\n`,
    );
    printTable([{ probes: probesSent, found: lag.n, 'not found': outstanding.size, p50: lag.p50, p99: lag.p99, max: lag.max, mean: lag.mean }], [
      'probes',
      'found',
      'not found',
      'p50',
      'p99',
      'max',
      'mean',
    ]);
    process.stdout.write(
      `\nAPI stop: SIGTERM → exit in ${Math.round(stopMs)} ms (code ${apiExit.code}, signal ${apiExit.signal}); ` +
        `"usage batch not handed over" warnings: ${lostWarnings}; worker settled ${Math.round(settleMs)} ms after the exit\n\n`,
    );
    const verifyRows = [
      {
        key: 'load key (sustained + probes)',
        'responses sent': responses.load,
        'KeyUsed stored': stored.total,
        'distinct request ids': stored.distinct,
        difference: stored.total - responses.load,
        verdict: loadMatch ? 'MATCH' : 'MISMATCH',
      },
      {
        key: 'admin key (comparison + set-up)',
        'responses sent': responses.admin,
        'KeyUsed stored': adminStored.total,
        'distinct request ids': adminStored.distinct,
        difference: adminStored.total - responses.admin,
        verdict: adminMatch ? 'MATCH' : 'MISMATCH',
      },
    ];
    printTable(verifyRows, Object.keys(verifyRows[0]));
    const lastUsedAt = lastUsed[0]?.last_used_at ? new Date(lastUsed[0].last_used_at).toISOString() : null;
    process.stdout.write(`\nusage queue after settling: ${JSON.stringify(queueCounts)}; load key lastUsedAt ${lastUsedAt}\n`);
    const non2xx = pub.result.non2xx + guarded.result.non2xx + sustained.result.non2xx + probeFailures;
    if (non2xx + clientErrors > 0) process.stdout.write(`WARNING: ${non2xx} non-2xx responses, ${clientErrors} client errors: the figures are not clean\n`);
    process.stdout.write(`${loadMatch && adminMatch ? 'MATCH' : 'MISMATCH'}: KeyUsed events stored ${loadMatch && adminMatch ? '=' : '≠'} responses sent\n`);

    const json = {
      bench: 'usage-load',
      date: new Date().toISOString(),
      machine: machine(),
      connections,
      seconds,
      sustained: {
        responses: responses.load,
        autocannon2xx: sustained.result['2xx'],
        non2xx: sustained.result.non2xx,
        errors: sustained.result.errors + sustained.result.timeouts,
        reqPerSec: sustainedRow['req/s'],
        latencyP50Ms: sustainedRow['p50 ms'],
        latencyP99Ms: sustainedRow['p99 ms'],
      },
      stored: stored.total,
      distinctRequestIds: stored.distinct,
      match: loadMatch,
      admin: { responses: responses.admin, stored: adminStored.total, match: adminMatch },
      lagMs: { probes: probesSent, found: lag.n, notFound: outstanding.size, p50: lag.p50, p99: lag.p99, max: lag.max },
      compare: { seconds: compareSeconds, rounds: roundRatios, publicReqPerSec: compareRows[0]['req/s'], guardedReqPerSec: compareRows[1]['req/s'], ratio },
      apiStop: { ms: Math.round(stopMs), code: apiExit.code, signal: apiExit.signal, lostWarnings },
      settleMs: Math.round(settleMs),
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return loadMatch && adminMatch && non2xx + clientErrors === 0 ? 0 : 1;
  } finally {
    await usageQueue.close();
    await sql.end();
  }
});
