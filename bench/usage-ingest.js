// @ts-check
'use strict';
/**
 * What Keyward spends to ingest a customer service's usage (docs/verifier-protocol.md, POST /v1/usage):
 * one API process and a worker; a `keys:verify` key (the service's) and a few customer keys made
 * through the API; then `BENCH_SENDERS` senders POST batches of `BENCH_BATCH` records (random
 * customer key, fresh eventIds, a browser-sized User-Agent) back to back for `BENCH_DURATION`
 * seconds, after a warm-up. The bench then waits until the worker's projector has applied every
 * event (checkpoint = last event in reader order) and reports events/s ingested and the CPU ms per
 * event of the API process, the worker and every `postgres` process (from /proc, load and catch-up
 * together), and checks that the log holds exactly one KeyUsed per record acknowledged.
 *
 *   node bench/usage-ingest.js
 *   BENCH_DURATION=5 BENCH_WARMUP=1 node bench/usage-ingest.js
 *   BENCH_PROFILE=1 node bench/usage-ingest.js    # V8 profiles of the API (load) and worker (load + catch-up)
 *
 * Needs `npm run build`. The postgres figure counts every backend of the server, other users'
 * too, and the bench's own few polls. No key is ever printed.
 */
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  benchEnv,
  cpuMs,
  cpuProfileShares,
  createCompany,
  envInt,
  machine,
  machineJiffies,
  postgresCpuMs,
  postgresCpuSince,
  printTable,
  run,
  startProcess,
  trySend,
  waitForProfile,
  withClient,
} = require('./lib');

const duration = envInt('BENCH_DURATION', 20);
const warmup = envInt('BENCH_WARMUP', 3);
const batchSize = envInt('BENCH_BATCH', 500);
const senders = envInt('BENCH_SENDERS', 4);
const keyCount = envInt('BENCH_KEYS', 5);
const timeoutMs = envInt('BENCH_TIMEOUT_MS', 30_000);
const settleSeconds = envInt('BENCH_SETTLE_SECONDS', 120);
const profile = process.env.BENCH_PROFILE === '1';
const profileOut = process.env.BENCH_PROFILE_OUT || path.join(os.tmpdir(), `keyward-usage-ingest-${process.pid}`);

const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ROUTES = ['/invoices', '/invoices/:id', '/customers/:id/invoices'];

/**
 * Innermost match wins; node: frames only when nothing else is on the stack.
 * @type {[RegExp, string][]}
 */
const BUCKETS = [
  [/class-validator|validator\/lib|usage\.dto|http\/validation/, 'class-validator (DTO)'],
  [/class-transformer/, 'class-transformer (DTO)'],
  [/usage-batch|usage\.validator/, 'usage validation (fast path)'],
  [/json-canonicalize|hash-chain/, 'hash chain (canonical JSON + sha256)'],
  [/read-model\.projection|projector\.js/, 'projector + read model'],
  [/event-store\.js/, 'event store (append / read)'],
  [/report-usage|record-usage/, 'report / record usage'],
  [/[/\\]pg[/\\]|pg-protocol|pg-types|postgres-/, 'pg driver (protocol, parsing)'],
  [/typeorm/, 'typeorm'],
  [/bullmq|ioredis|redis-parser/, 'BullMQ + ioredis'],
  [/pino|@pinojs|sonic-boom|observability\/src\/logging/, 'logging'],
  [/body-parser|raw-body|request-guards/, 'body parsing / clean-input'],
  [/@nestjs\/|rxjs|reflect-metadata|iterare/, 'Nest core'],
  [/express|\/router\/|path-to-regexp/, 'express'],
  [/^JSON\.|^parse |^stringify /, 'JSON (builtin)'],
  [/^\S* node:/, 'node core'],
];

/** One batch of `n` records as @keyward/nestjs sends them. */
function batch(n, keyIds) {
  const occurredAt = new Date().toISOString();
  return {
    records: Array.from({ length: n }, (_, i) => ({
      eventId: randomUUID(),
      keyId: keyIds[i % keyIds.length],
      method: i % 5 === 0 ? 'POST' : 'GET',
      route: ROUTES[i % ROUTES.length],
      status: i % 50 === 0 ? 404 : 200,
      ip: `203.0.113.${i % 250}`,
      userAgent: USER_AGENT,
      requestId: randomUUID(),
      durationMs: (i % 40) + 0.25,
      occurredAt,
    })),
  };
}

run(async () => {
  const { env } = await benchEnv({ DEFAULT_RATE_LIMIT: '1000000000', DEFAULT_RATE_LIMIT_WINDOW_SECONDS: '60' });
  const company = await createCompany(env);
  const profiled = profile ? { NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile-hook.js')}` } : {};
  const [worker, api] = await Promise.all([
    startProcess('worker', { ...env, ...profiled, BENCH_PROFILE_OUT: `${profileOut}-worker` }),
    startProcess('api', { ...env, ...profiled, BENCH_PROFILE_OUT: `${profileOut}-api` }),
  ]);

  /** A Keyward call that must answer `status`; the error names the route and the answer, never a key. */
  async function keyward(key, method, route, body, status) {
    const r = await trySend(api.url, method, route, key, body, timeoutMs);
    if (r.status !== status) throw new Error(`${method} ${route} → ${r.status} ${r.body?.code ?? ''} ${r.body?.detail ?? ''} (expected ${status})`);
    return r.body;
  }
  const serviceKey = (await keyward(company.key, 'POST', '/v1/keys', { name: 'bench service', permissions: ['keys:verify'] }, 201)).key;
  const keyIds = [];
  for (let i = 0; i < keyCount; i++) keyIds.push((await keyward(company.key, 'POST', '/v1/keys', { name: `bench customer ${i}`, permissions: [] }, 201)).id);

  /** Senders posting batches back to back until `seconds` have passed: records acknowledged, batches, errors. */
  async function load(seconds) {
    const until = Date.now() + seconds * 1000;
    const counts = { records: 0, batches: 0, errors: /** @type {string[]} */ ([]) };
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (Date.now() < until) {
          const body = batch(batchSize, keyIds);
          const r = await trySend(api.url, 'POST', '/v1/usage', serviceKey, body, timeoutMs);
          if (r.status === 202 && r.body?.appended === batchSize) {
            counts.records += batchSize;
            counts.batches += 1;
          } else counts.errors.push(`POST /v1/usage → ${r.status} ${r.body?.code ?? ''} ${JSON.stringify(r.body?.errors ?? '').slice(0, 200)}`);
        }
      }),
    );
    return counts;
  }

  /** Waits until the projector's checkpoint is the last event in reader order; ms waited. */
  async function projected() {
    const started = Date.now();
    return withClient(env.DATABASE_URL, async (c) => {
      for (;;) {
        const { rows } = await c.query(
          `SELECT (SELECT transaction_id::text || '/' || position FROM projection_checkpoints WHERE name = 'read-models') AS at,
                  (SELECT transaction_id::text || '/' || position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1) AS head`,
        );
        if (rows[0].at === rows[0].head) return Date.now() - started;
        if (Date.now() - started > settleSeconds * 1000) throw new Error(`projector not caught up after ${settleSeconds} s (${rows[0].at} of ${rows[0].head})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  }

  process.stderr.write(`warm-up ${warmup} s, then ${duration} s: ${senders} senders × ${batchSize} records per batch, ${keyCount} customer keys…\n`);
  const warm = await load(warmup);
  if (warm.errors.length > 0) throw new Error(`warm-up: ${warm.errors[0]}`);
  await projected();

  const processes = { 'Keyward API': api.pid, worker: worker.pid };
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuMs(pid)]));
  const pgBefore = postgresCpuMs();
  const machineBefore = machineJiffies();
  if (profile) for (const p of [api, worker]) process.kill(/** @type {number} */ (p.pid), 'SIGWINCH');
  const started = performance.now();
  const counts = await load(duration);
  const loadSeconds = (performance.now() - started) / 1000;
  if (profile) process.kill(/** @type {number} */ (api.pid), 'SIGWINCH');
  const apiAfterLoad = cpuMs(api.pid);
  const catchUpMs = await projected();
  if (profile) process.kill(/** @type {number} */ (worker.pid), 'SIGWINCH');
  const cpu = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, /** @type {number} */ (cpuMs(pid)) - /** @type {number} */ (before[name])]));
  cpu.postgres = postgresCpuSince(pgBefore);
  const machineAfter = machineJiffies();
  const busy = Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100);

  const acknowledged = warm.records + counts.records;
  const stored = await withClient(env.DATABASE_URL, async (c) => {
    // the customer keys only: Keyward's own guard records a KeyUsed of the service key per POST too
    const { rows } = await c.query(
      `SELECT count(*)::int AS n FROM events WHERE type = 'KeyUsed' AND company_id = $1 AND data->>'keyId' = ANY($2::text[])`,
      [company.companyId, keyIds],
    );
    return rows[0].n;
  });

  const events = counts.records;
  const per = (ms) => Math.round((ms / events) * 10_000) / 10_000;
  const cpuPerEvent = { api: per(cpu['Keyward API']), worker: per(cpu.worker), postgres: per(cpu.postgres) };
  const eventsPerSecond = Math.round(events / loadSeconds);
  const rows = [
    {
      batches: counts.batches,
      events,
      'events/s': eventsPerSecond,
      'catch-up ms': catchUpMs,
      'API ms/event': cpuPerEvent.api,
      'worker ms/event': cpuPerEvent.worker,
      'postgres ms/event': cpuPerEvent.postgres,
      'machine busy %': busy,
      errors: counts.errors.length,
    },
  ];
  process.stdout.write(
    `\nPOST /v1/usage — one Keyward API + worker; ${senders} senders × ${batchSize} records per batch, ${keyCount} customer keys, ` +
      `${loadSeconds.toFixed(1)} s; CPU from /proc over the load and the projector's catch-up (postgres = every backend of the server):\n\n`,
  );
  printTable(rows, Object.keys(rows[0]));
  const complete = stored === acknowledged;
  process.stdout.write(`\nKeyUsed of the customer keys in the log: ${stored} for ${acknowledged} records acknowledged (warm-up included): ${complete ? 'MATCH' : 'MISMATCH'}\n`);
  for (const e of counts.errors.slice(0, 5)) process.stdout.write(`  ${e}\n`);

  const profiles = [];
  if (profile) {
    const shares = [
      ['API (load)', `${profileOut}-api.0.cpuprofile`],
      ['worker (load + catch-up)', `${profileOut}-worker.0.cpuprofile`],
    ];
    for (const [who, file] of shares) {
      await waitForProfile(file);
      const p = cpuProfileShares(file, BUCKETS, events);
      profiles.push({ who, file, perEventUs: Math.round(p.perUnitUs), rows: p.rows.map((r) => ({ ...r, us: Math.round(r.us * 10) / 10 })) });
      process.stdout.write(`\n${who}: ${p.perUnitUs.toFixed(1)} µs per event under the profiler (${file})\n`);
      for (const row of p.rows) process.stdout.write(`  ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.us.toFixed(1).padStart(6)} µs  ${row.k}\n`);
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      bench: 'usage-ingest',
      date: new Date().toISOString(),
      machine: machine(),
      senders,
      batchSize,
      keys: keyCount,
      seconds: Math.round(loadSeconds * 10) / 10,
      batches: counts.batches,
      events,
      eventsPerSecond,
      catchUpMs,
      cpuMsPerEvent: cpuPerEvent,
      apiCpuMsPerEventDuringLoad: per(/** @type {number} */ (apiAfterLoad) - /** @type {number} */ (before['Keyward API'])),
      machineBusyPercent: busy,
      stored,
      acknowledged,
      errors: counts.errors.length,
      profiled: profile,
      profiles,
    })}\n`,
  );
  if (profile) for (const f of profiles) fs.rmSync(`${f.file}.done`, { force: true });
  return complete && counts.errors.length === 0 ? 0 : 1;
});
