// @ts-check
'use strict';
/**
 * Webhook delivery lag (issue 13): one API process and a worker on a fresh database, a real HTTP
 * receiver in a thread of this process (its answers are not held up by the load the main thread
 * sends) that checks every Keyward-Signature with `verifySignature` of the built libs/system, a
 * webhook on "*" (the audit stream) and one on key changes. Then real API traffic, paced open-loop
 * (each request sent when due, whatever is still in flight), at a steady rate of events:
 * authenticated `GET /v1/me` with a few keys (one `KeyUsed` each) and, every `--write-every`th
 * request, a key write with the admin key (create, then edit, then revoke: its `KeyUsed` and a
 * `KeyCreated`/`KeyUpdated`/`KeyRevoked`). After the load the bench waits until the receiver has
 * every event of the log after the webhooks' creation, then prints one table and one line of ratios:
 *
 * - lag of each event that occurred during the load = receipt at the receiver − its `occurredAt`
 *   (for a `KeyUsed`, when the API handled the request: the usage buffer, the queue and the worker's
 *   append are in it), and receipt − commit, the commit being when a poll of the log (every
 *   `--poll-ms`: `now()` of a statement reading the rows of transactions not older than the previous
 *   snapshot's xmin) first saw the event: an upper bound of the commit, so this lag is a lower bound,
 *   short by at most one poll interval plus the poll's own time;
 * - per webhook, the events delivered against the events in the log after its creation (equal, in
 *   log order, no gaps; duplicates counted), signature failures (must be 0), events committed and
 *   delivered per second during the load;
 * - the dispatcher's pace from its delivery log (time from one attempt to the next while the next
 *   event was already committed, and the POST's share of it);
 * - CPU ms per delivered event of the API, the worker and every `postgres` process (from /proc, over
 *   the load and the drain after it), machine busy, load average.
 *
 *   node bench/webhook-lag.js                          # 500 events/s for 30 s
 *   node bench/webhook-lag.js --rate 1000 --duration 10
 *   BENCH_RATE=200 BENCH_DURATION=10 node bench/webhook-lag.js
 *   BENCH_TIMELINE=1 node bench/webhook-lag.js         # each second on stderr: committed, delivered, projector, oldest transaction
 *   BENCH_PROFILE=1 node bench/webhook-lag.js          # V8 profile of the worker over the load and the drain
 *   BENCH_RECEIVER_HOST=localhost node bench/webhook-lag.js   # a host name instead of 127.0.0.1
 *
 * Options (flag or variable): --rate/BENCH_RATE (events/s offered, 500), --duration/BENCH_DURATION
 * (s, 30), --warmup/BENCH_WARMUP (s before the webhooks exist, 3), --write-every/BENCH_WRITE_EVERY
 * (50), --keys/BENCH_KEYS (5), --connections/BENCH_CONNECTIONS (64), --poll-ms/BENCH_POLL_MS (10),
 * --settle/BENCH_SETTLE_SECONDS (300). Needs `npm run build`. Exit 1 when a signature failed or a
 * webhook's deliveries are not its log. No key or secret is ever printed.
 */
const { randomBytes } = require('node:crypto');
const http = require('node:http');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const os = require('node:os');
const path = require('node:path');
const {
  benchEnv,
  cpuMs,
  createCompany,
  envInt,
  cpuProfileShares,
  machine,
  machineJiffies,
  onCleanup,
  postgresCpuMs,
  postgresCpuSince,
  printTable,
  run,
  startProcess,
  summary,
  trySend,
  waitForProfile,
} = require('./lib');
const { Client } = require('pg');

/** `--name value` from the command line, else BENCH_<NAME>, else the default. */
function option(name, env, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0) {
    const n = Number(process.argv[at + 1]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${process.argv[at + 1]}"`);
    return n;
  }
  return envInt(env, fallback);
}

const rate = option('rate', 'BENCH_RATE', 500); // events per second, offered
const duration = option('duration', 'BENCH_DURATION', 30);
const warmup = option('warmup', 'BENCH_WARMUP', 3);
const writeEvery = option('write-every', 'BENCH_WRITE_EVERY', 50);
const loadKeys = option('keys', 'BENCH_KEYS', 5);
const pollMs = option('poll-ms', 'BENCH_POLL_MS', 10);
const connections = option('connections', 'BENCH_CONNECTIONS', 64);
/** The webhooks' URL host: 127.0.0.1, or a name for it (`localhost`: the dispatcher's DNS path). */
const receiverHost = process.env.BENCH_RECEIVER_HOST || '127.0.0.1';
const settleSeconds = option('settle', 'BENCH_SETTLE_SECONDS', 300);
const profile = process.env.BENCH_PROFILE === '1';
const timeline = process.env.BENCH_TIMELINE === '1';
const profileOut = process.env.BENCH_PROFILE_OUT || path.join(os.tmpdir(), `keyward-webhook-lag-${process.pid}`);
const timeoutMs = 30_000;

/**
 * Where the worker's CPU goes (BENCH_PROFILE=1): innermost match wins; node: frames only when
 * nothing else is on the stack.
 * @type {[RegExp, string][]}
 */
const BUCKETS = [
  [/webhook-sender/, 'webhook sender (http.request, answer)'],
  [/signature\.js/, 'signature (HMAC)'],
  [/webhook-target/, 'webhook target check'],
  [/webhook-delivery-log/, 'delivery log (insert)'],
  [/webhook-dispatcher|webhooks\.processor|deliver-webhook/, 'webhook dispatcher'],
  [/webhooks\.projection|queue-producer/, 'webhook wake-ups'],
  [/audit-filter|hash-chain|json-canonicalize/, 'event → JSON / hash'],
  [/read-model\.projection|projector\.js|usage-series|usage\.projection/, 'projector + read models'],
  [/record-usage|usage/, 'usage ingest'],
  [/event-store\.js/, 'event store (append / read)'],
  [/[/\\]pg[/\\]|pg-protocol|pg-types|postgres-/, 'pg driver'],
  [/typeorm/, 'typeorm'],
  [/bullmq|ioredis|redis-parser/, 'BullMQ + ioredis'],
  [/pino|@pinojs|sonic-boom|observability/, 'logging'],
  [/@nestjs\/|rxjs|reflect-metadata/, 'Nest core'],
  [/^JSON\.|^parse |^stringify /, 'JSON (builtin)'],
  [/^\S* node:/, 'node core'],
];
const TYPED = ['KeyCreated', 'KeyUpdated', 'KeyRevoked'];


/** Wall-clock ms with sub-ms precision (occurredAt and Postgres' now() are wall clock). */
const wallNow = () => performance.timeOrigin + performance.now();

/**
 * The receiver: an HTTP server on 127.0.0.1 in a thread of its own (its answers are not delayed by
 * the load the main thread sends), checking each Keyward-Signature and noting when each event
 * arrived. It answers the main thread's 'url', 'distinct' (distinct positions per webhook) and
 * 'results'.
 */
function receiverThread() {
  const { verifySignature } = require(path.join(__dirname, '..', 'dist/libs/system/src'));
  const { secret } = workerData;
  /** @type {Map<string, number[]>} webhook id → [position, occurredAt, receipt, …] */
  const received = new Map();
  const distinct = new Map();
  const failures = { signature: 0, unparsable: 0, examples: /** @type {string[]} */ ([]) };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = wallNow();
      const raw = Buffer.concat(chunks);
      const check = verifySignature(secret, raw, /** @type {string | undefined} */ (req.headers['keyward-signature']));
      if (!check.valid) {
        failures.signature += 1;
        if (failures.examples.length < 5) failures.examples.push(`signature ${check.reason}`);
      }
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        failures.unparsable += 1;
      }
      const hook = String(req.headers['keyward-webhook-id']);
      if (body && body.position !== null) {
        let list = received.get(hook);
        if (!list) {
          received.set(hook, (list = []));
          distinct.set(hook, new Set());
        }
        list.push(Number(body.position), Date.parse(body.occurredAt), at);
        distinct.get(hook).add(Number(body.position));
      }
      res.statusCode = 204;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  parentPort?.on('message', (cmd) => {
    if (cmd === 'url') {
      const answer = () => parentPort?.postMessage(`http://${receiverHost}:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/hook`);
      if (server.listening) answer();
      else server.once('listening', answer);
    } else if (cmd === 'distinct') parentPort?.postMessage(Object.fromEntries([...distinct].map(([id, set]) => [id, set.size])));
    else if (cmd === 'results') parentPort?.postMessage({ received: Object.fromEntries(received), failures });
  });
}

if (!isMainThread) receiverThread();
else
run(async () => {
  const loadAvgStart = os.loadavg();
  const { env } = await benchEnv({
    DEFAULT_RATE_LIMIT: '1000000000',
    DEFAULT_RATE_LIMIT_WINDOW_SECONDS: '60',
    WEBHOOK_ALLOW_PRIVATE: 'true', // the receiver is on 127.0.0.1
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('hex'), // the shared secret is kept encrypted; a throw-away key per run
  });
  const company = await createCompany(env);
  const profiled = profile ? { NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile-hook.js')}`, BENCH_PROFILE_OUT: `${profileOut}-worker` } : {};
  const [worker, api] = await Promise.all([startProcess('worker', { ...env, ...profiled }), startProcess('api', env)]);

  /** A Keyward call that must answer `status`; the error names the route and the answer, never a key. */
  async function keyward(key, method, route, body, status) {
    const r = await trySend(api.url, method, route, key, body, timeoutMs);
    if (r.status !== status) throw new Error(`${method} ${route} → ${r.status} ${r.body?.code ?? ''} ${r.body?.detail ?? ''} (expected ${status})`);
    return r.body;
  }
  const secret = (await keyward(company.key, 'POST', '/v1/shared-secret/rotate', {}, 201)).secret;
  const keys = [];
  for (let i = 0; i < loadKeys; i++) keys.push((await keyward(company.key, 'POST', '/v1/keys', { name: `load ${i}`, permissions: ['keys:read'] }, 201)).key);

  // ---------------------------------------------------------------- the receiver (a thread of its own)
  const receiver = new Worker(__filename, { workerData: { secret } });
  /** @type {{ resolve: (answer: any) => void, reject: (err: Error) => void }[]} */
  const answers = [];
  /** @type {Error | null} */
  let receiverFailed = null;
  receiver.on('message', (m) => answers.shift()?.resolve(m));
  receiver.on('error', (err) => {
    receiverFailed = new Error(`the receiver thread failed: ${err.message}`);
    for (const a of answers.splice(0)) a.reject(receiverFailed);
  });
  /** Asks the receiver thread something; resolves with its answer (it answers in order), rejects if it failed. */
  const ask = (cmd) =>
    new Promise((resolve, reject) => {
      if (receiverFailed) return reject(receiverFailed);
      answers.push({ resolve, reject });
      receiver.postMessage(cmd);
    });
  const receiverUrl = /** @type {string} */ (await ask('url'));
  onCleanup(() => receiver.terminate());

  // ---------------------------------------------------------------- commit times, from a poll of the log
  /** position → wall ms of the first poll that saw it committed */
  const committedBy = new Map();
  const poller = new Client({ connectionString: env.DATABASE_URL });
  await poller.connect();
  let polling = true;
  let pollRounds = 0;
  const pollLoop = (async () => {
    let xmin = (await poller.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x')).rows[0].x;
    while (polling) {
      // rows of transactions not older than the last snapshot's xmin: every older one was already visible to it
      const { rows } = await poller.query(
        `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, extract(epoch FROM now()) * 1000 AS at,
                COALESCE((SELECT array_agg(position) FROM events WHERE transaction_id >= $1::xid8 AND company_id = $2), '{}') AS positions`,
        [xmin, company.companyId],
      );
      const at = Number(rows[0].at);
      for (const p of rows[0].positions) {
        const n = Number(p);
        if (!committedBy.has(n)) committedBy.set(n, at);
      }
      xmin = rows[0].xmin;
      pollRounds += 1;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();

  // ---------------------------------------------------------------- load
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  /**
   * One request of the load over `agent`: `{ status, body, ms }`, ms from the call (when it was
   * due) to the whole answer; a transport error or no answer in 30 s is `status: 'error'`.
   */
  function request(method, route, key, body) {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve) => {
      const req = http.request(
        `${api.url}${route}`,
        { method, agent, timeout: timeoutMs, headers: { 'x-api-key': key, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            let json;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode, body: json, ms: performance.now() - started });
          });
          res.on('error', (err) => resolve({ status: 'error', body: { code: err.message }, ms: performance.now() - started }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer in time')));
      req.on('error', (err) => resolve({ status: 'error', body: { code: /** @type {NodeJS.ErrnoException} */ (err).code ?? err.message }, ms: performance.now() - started }));
      req.end(payload);
    });
  }
  const get = (route, key) => request('GET', route, key, undefined);

  const writeKeyIds = /** @type {{ id: string, step: number, busy: boolean }[]} */ ([]);
  let writeSeq = 0;
  /** One key write with the admin key: create a key, edit it, then revoke it, in turn. */
  function write() {
    // a key's next write only once its last one answered (two at once on one key: a version conflict)
    const pending = writeKeyIds.find((k) => k.step < 2 && !k.busy);
    writeSeq += 1;
    if (pending && writeSeq % 3 !== 0) {
      pending.step += 1;
      pending.busy = true;
      const done = (r) => {
        pending.busy = false;
        return r;
      };
      return (
        pending.step === 1
          ? request('PATCH', `/v1/keys/${pending.id}`, company.key, { description: `edited ${writeSeq}` })
          : request('POST', `/v1/keys/${pending.id}/revoke`, company.key, { reason: 'bench' })
      ).then(done);
    }
    return request('POST', '/v1/keys', company.key, { name: `written ${writeSeq}`, permissions: [] }).then((r) => {
      if (r.status === 201) writeKeyIds.push({ id: r.body.id, step: 0, busy: false });
      return r;
    });
  }

  /**
   * Open loop: requests sent when due (every 1/requestRate s), whatever is still in flight, over at
   * most `BENCH_CONNECTIONS` kept-alive connections (beyond them a request waits in the agent's
   * queue: its time counts from when it was due). A write yields two events (its KeyUsed and the
   * key's event), a GET /v1/me one, so the request rate is the event rate ÷ (1 + 1/writeEvery).
   * Resolves when the last request was sent: `answered` resolves when every answer came.
   */
  async function load(seconds) {
    const requestRate = rate / (1 + 1 / writeEvery);
    const counts = { requests: 0, writes: 0, failed: 0, errors: /** @type {Map<string, number>} */ (new Map()), inFlight: 0, maxInFlight: 0, ms: /** @type {number[]} */ ([]) };
    const all = [];
    const started = performance.now();
    const end = started + seconds * 1000;
    let sent = 0;
    for (;;) {
      const now = performance.now();
      if (now >= end) break;
      const due = Math.floor(((now - started) / 1000) * requestRate);
      while (sent < due) {
        sent += 1;
        const isWrite = sent % writeEvery === 0;
        const p = isWrite ? write() : get('/v1/me', keys[sent % keys.length]);
        counts.inFlight += 1;
        counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
        all.push(
          p.then((r) => {
            counts.inFlight -= 1;
            counts.requests += 1;
            if (isWrite) counts.writes += 1;
            counts.ms.push(r.ms);
            const ok = isWrite ? r.status === 200 || r.status === 201 : r.status === 200;
            if (!ok) {
              counts.failed += 1;
              const what = `${isWrite ? 'write' : 'GET /v1/me'} → ${r.status} ${r.body?.code ?? ''}`;
              counts.errors.set(what, (counts.errors.get(what) ?? 0) + 1);
            }
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const sentSeconds = (performance.now() - started) / 1000;
    return { counts, sentSeconds, answered: Promise.all(all) };
  }

  /** Company events after `position` (of `types`), in log order. */
  const logAfter = (c, position, types) =>
    c
      .query(`SELECT position FROM events WHERE company_id = $1 AND position > $2 ${types ? 'AND type = ANY($3)' : ''} ORDER BY position`, types ? [company.companyId, position, types] : [company.companyId, position])
      .then((r) => r.rows.map((row) => Number(row.position)));

  /** Waits until the projector has applied every event (the usage pipeline is drained). */
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  async function projected(limitMs) {
    const started = Date.now();
    for (;;) {
      const { rows } = await db.query(
        `SELECT (SELECT transaction_id::text || '/' || position FROM projection_checkpoints WHERE name = 'read-models') AS at,
                (SELECT transaction_id::text || '/' || position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1) AS head`,
      );
      if (rows[0].at === rows[0].head) return;
      if (Date.now() - started > limitMs) throw new Error(`projector not caught up after ${limitMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  if (warmup > 0) {
    process.stderr.write(`warm-up ${warmup} s at ${rate} events/s (no webhook yet)…\n`);
    await (await load(warmup)).answered;
    await new Promise((r) => setTimeout(r, 1000)); // the usage buffers' last flush
    await projected(120_000);
  }

  const all = await keyward(company.key, 'POST', '/v1/webhooks', { url: receiverUrl, events: ['*'], description: 'bench audit stream' }, 201);
  const typed = await keyward(company.key, 'POST', '/v1/webhooks', { url: receiverUrl, events: TYPED, description: 'bench key changes' }, 201);
  const hooks = [
    { name: '"*"', id: all.id, from: Number(all.deliveredPosition), types: undefined },
    { name: TYPED.join(','), id: typed.id, from: Number(typed.deliveredPosition), types: TYPED },
  ];

  /**
   * BENCH_TIMELINE=1: each second on stderr, events committed and delivered since the webhooks'
   * creation, the projector's checkpoint, and the oldest open transaction of the whole server (a
   * snapshot's xmin is server-wide: the dispatcher and the projector read only below it).
   */
  let timelineOn = timeline;
  const timelineStart = wallNow();
  const timelineLoop = (async () => {
    if (!timeline) return;
    process.stderr.write('  t s  committed  delivered "*"  projector at  oldest xact ms (db)\n');
    while (timelineOn) {
      const [{ rows }, got] = await Promise.all([
        db.query(
          `SELECT (SELECT position::text FROM projection_checkpoints WHERE name = 'read-models') AS projected,
                  (SELECT round(extract(epoch FROM now() - xact_start) * 1000)::text || ' (' || datname || ')' FROM pg_stat_activity
                    WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 1) AS oldest`,
        ),
        ask('distinct'),
      ]);
      let committed = 0;
      for (const p of committedBy.keys()) if (p > hooks[0].from) committed += 1;
      process.stderr.write(
        `${((wallNow() - timelineStart) / 1000).toFixed(0).padStart(4)}  ${String(committed).padStart(9)}  ${String(got[all.id] ?? 0).padStart(13)}  ${String(Number(rows[0].projected) - hooks[0].from).padStart(12)}  ${rows[0].oldest ?? '-'}\n`,
      );
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  process.stderr.write(`load: ${duration} s at ${rate} events/s (GET /v1/me with ${loadKeys} keys, a key write every ${writeEvery} requests), open loop…\n`);
  const processes = { api: api.pid, worker: worker.pid };
  const cpuBefore = Object.fromEntries(Object.entries(processes).map(([n, pid]) => [n, /** @type {number} */ (cpuMs(pid))]));
  const pgBefore = postgresCpuMs();
  const machineBefore = machineJiffies();
  if (profile) process.kill(/** @type {number} */ (worker.pid), 'SIGWINCH');
  const loadStart = wallNow();
  const loaded = await load(duration);
  const loadEnd = wallNow();
  await loaded.answered;
  const counts = loaded.counts;
  const loadAvgAfterLoad = os.loadavg();

  // drained: the receiver holds every event of the log after the "*" webhook's creation, and the log stopped growing
  process.stderr.write('load done; waiting for every event to be delivered…\n');
  let settled = false;
  let lastCount = -1;
  let stableSince = Date.now();
  const settleDeadline = Date.now() + settleSeconds * 1000;
  while (Date.now() < settleDeadline) {
    const log = await logAfter(db, hooks[0].from);
    const got = /** @type {Record<string, number>} */ (await ask('distinct'))[all.id] ?? 0; // distinct positions received: all from the log
    if (log.length !== lastCount) {
      lastCount = log.length;
      stableSince = Date.now();
    }
    if (got >= log.length && Date.now() - stableSince > 2000) {
      settled = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (profile) process.kill(/** @type {number} */ (worker.pid), 'SIGWINCH');
  const cpu = Object.fromEntries(Object.entries(processes).map(([n, pid]) => [n, /** @type {number} */ (cpuMs(pid)) - cpuBefore[n]]));
  cpu.postgres = postgresCpuSince(pgBefore);
  const machineAfter = machineJiffies();
  const busy = Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100);
  polling = false;
  timelineOn = false;
  await Promise.all([pollLoop, timelineLoop]);
  await poller.end();

  // ---------------------------------------------------------------- figures
  const { received: receivedLists, failures } = /** @type {{ received: Record<string, number[]>, failures: { signature: number, unparsable: number, examples: string[] } }} */ (await ask('results'));
  await receiver.terminate();
  /** per webhook: position, occurredAt, receipt (3 numbers per receipt, in arrival order) */
  const received = new Map(
    Object.entries(receivedLists).map(([id, flat]) => {
      const list = [];
      for (let i = 0; i < flat.length; i += 3) list.push({ position: flat[i], occurredAt: flat[i + 1], at: flat[i + 2] });
      return [id, list];
    }),
  );
  const checks = [];
  for (const h of hooks) {
    const log = await logAfter(db, h.from, h.types);
    const got = (received.get(h.id) ?? []).map((r) => r.position);
    const seen = new Set();
    let duplicates = 0;
    const firstOrder = [];
    for (const p of got) {
      if (seen.has(p)) duplicates += 1;
      else {
        seen.add(p);
        firstOrder.push(p);
      }
    }
    const inOrder = firstOrder.every((p, i) => i === 0 || p > firstOrder[i - 1]);
    const equal = firstOrder.length === log.length && firstOrder.every((p, i) => p === log[i]);
    checks.push({ webhook: h.name, 'in log': log.length, delivered: firstOrder.length, duplicates, 'in order': inOrder ? 'yes' : 'NO', 'equal to log': equal ? 'yes' : 'NO', missing: log.filter((p) => !seen.has(p)).length });
  }
  const deliveryLog = await db.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT ok)::int AS failed, round(avg(duration_ms)::numeric, 2)::float8 AS avg_ms FROM webhook_deliveries');
  // the dispatcher's own timings, from its delivery log: the time from one attempt of the "*" webhook to
  // its next while the next event was already committed (a backlog: the dispatcher was not waiting
  // for events), against the POST's own duration as the sender measured it
  const attempts = (
    await db.query(
      `SELECT position::text AS p, extract(epoch FROM attempted_at) * 1000 AS at, duration_ms AS ms FROM webhook_deliveries WHERE webhook_id = $1 AND NOT test ORDER BY attempted_at, position`,
      [all.id],
    )
  ).rows.map((r) => ({ position: Number(r.p), at: Number(r.at), ms: Number(r.ms) }));
  const busyIntervals = [];
  const busyPosts = [];
  for (let i = 0; i + 1 < attempts.length; i++) {
    const next = committedBy.get(attempts[i + 1].position);
    if (next !== undefined && next <= attempts[i].at) {
      busyIntervals.push(attempts[i + 1].at - attempts[i].at);
      busyPosts.push(attempts[i].ms);
    }
  }
  await db.end();

  // lag of the events that happened during the load, at their first receipt on the "*" webhook
  const firstReceipt = new Map();
  for (const r of received.get(all.id) ?? []) if (!firstReceipt.has(r.position)) firstReceipt.set(r.position, r);
  const loadEvents = [...firstReceipt.values()].filter((r) => r.occurredAt >= loadStart && r.occurredAt < loadEnd);
  const fromOccurred = loadEvents.map((r) => r.at - r.occurredAt);
  const fromCommit = loadEvents.filter((r) => committedBy.has(r.position)).map((r) => r.at - /** @type {number} */ (committedBy.get(r.position)));
  const toCommit = loadEvents.filter((r) => committedBy.has(r.position)).map((r) => /** @type {number} */ (committedBy.get(r.position)) - r.occurredAt);
  const typedLag = [];
  for (const r of received.get(typed.id) ?? []) if (r.occurredAt >= loadStart && r.occurredAt < loadEnd) typedLag.push(r.at - r.occurredAt);

  // rates over the load (from the first request sent to the last): commits seen by the poll, first receipts of "*"
  const loadSeconds = (loadEnd - loadStart) / 1000;
  let committedDuringLoad = 0;
  for (const [p, at] of committedBy) if (p > hooks[0].from && at >= loadStart && at < loadEnd) committedDuringLoad += 1;
  const deliveredDuringLoad = [...firstReceipt.values()].filter((r) => r.at >= loadStart && r.at < loadEnd).length;
  const lastReceipt = Math.max(...[...firstReceipt.values()].map((r) => r.at));
  const delivered = firstReceipt.size;
  const committedPerSecond = committedDuringLoad / loadSeconds;
  const deliveredPerSecond = deliveredDuringLoad / loadSeconds;
  const overallPerSecond = delivered / ((lastReceipt - loadStart) / 1000);
  const drainSeconds = (lastReceipt - loadEnd) / 1000;
  const round = (n, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
  const per = (ms) => round(ms / delivered, 4);

  const lagRow = (what, samples) => {
    const s = summary(samples);
    return { lag: what, n: s.n, 'p50 ms': round(s.p50, 1), 'p95 ms': round(s.p95, 1), 'p99 ms': round(s.p99, 1), 'max ms': round(s.max, 1), 'mean ms': round(s.mean, 1) };
  };
  const lagRows = [
    lagRow('"*": receipt − occurredAt', fromOccurred),
    lagRow('"*": receipt − commit seen', fromCommit),
    lagRow('   (commit seen − occurredAt)', toCommit),
    lagRow(`${TYPED.join(',')}: receipt − occurredAt`, typedLag),
  ];
  const reqSummary = summary(counts.ms);
  const mean = (a) => (a.length === 0 ? NaN : a.reduce((x, y) => x + y, 0) / a.length);
  const dispatcher = {
    backlogged: busyIntervals.length,
    intervalMeanMs: round(mean(busyIntervals), 3),
    intervalP50Ms: round(summary(busyIntervals).p50, 3),
    postMeanMs: round(mean(busyPosts), 3),
    capacityPerSecond: round(1000 / mean(busyIntervals), 1),
  };

  const checkLine = (c) =>
    `${c.webhook}: ${c.delivered} delivered of ${c['in log']} in the log after its creation, ${c['equal to log'] === 'yes' ? 'equal to the log (in log order, no gap)' : 'NOT EQUAL to the log'}` +
    `${c['in order'] === 'yes' ? '' : ', OUT OF ORDER'}, ${c.missing} missing, ${c.duplicates} duplicates`;
  process.stdout.write(
    `\nwebhook delivery lag — one API + worker, receiver in a thread of the bench, on ${receiverHost}; offered ${rate} events/s for ${loaded.sentSeconds.toFixed(1)} s, open loop ` +
      `(${counts.requests} requests: ${counts.requests - counts.writes} GET /v1/me, ${counts.writes} key writes; answered p50/p99 ${round(reqSummary.p50, 1)}/${round(reqSummary.p99, 1)} ms, ` +
      `at most ${counts.maxInFlight} in flight, not 2xx ${counts.failed}); load average ${loadAvgStart.map((n) => n.toFixed(2)).join(' ')} at the start, ` +
      `${loadAvgAfterLoad.map((n) => n.toFixed(2)).join(' ')} after the load, ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} at the end; lag of the events that occurred during the load\n\n`,
  );
  printTable(lagRows, Object.keys(lagRows[0]));
  process.stdout.write(
    `\n${checkLine(checks[0])}\n${checkLine(checks[1])}\n` +
      `signature failures ${failures.signature} (every POST checked with verifySignature), unparsable ${failures.unparsable}; ${settled ? 'drained' : `NOT drained after ${settleSeconds} s`}\n` +
      `during the load: ${round(committedPerSecond, 1)} events/s committed, ${round(deliveredPerSecond, 1)} delivered/s ("*"); the last delivery ${round(drainSeconds, 1)} s after the load ` +
      `(${round(overallPerSecond, 1)} delivered/s from the load's start to it)\n` +
      `dispatcher ("*", its delivery log: ${deliveryLog.rows[0].n} attempts of both webhooks, ${deliveryLog.rows[0].failed} failed): ${dispatcher.backlogged} attempts made with the next event already committed, ` +
      `one every ${dispatcher.intervalMeanMs} ms on average (p50 ${dispatcher.intervalP50Ms}; ms resolution), of which the POST ${dispatcher.postMeanMs} ms — at most about ${dispatcher.capacityPerSecond} events/s for one webhook\n` +
      `CPU per delivered event (load + drain): API ${per(cpu.api)} ms, worker ${per(cpu.worker)} ms, postgres ${per(cpu.postgres)} ms (every backend of the server); machine busy ${busy} %\n`,
  );
  const ratios = {
    'delivered ÷ in log ("*")': round(checks[0].delivered / checks[0]['in log'], 4),
    [`delivered ÷ in log (${TYPED.join(',')})`]: round(checks[1].delivered / checks[1]['in log'], 4),
    'committed/s ÷ offered': round(committedPerSecond / rate, 3),
    'delivered/s ÷ committed/s (during the load)': round(deliveredPerSecond / committedPerSecond, 3),
    'dispatcher capacity ÷ offered': round(dispatcher.capacityPerSecond / rate, 2),
    'p99 ÷ p50 (receipt − occurredAt)': round(lagRows[0]['p99 ms'] / lagRows[0]['p50 ms'], 2),
  };
  process.stdout.write(`ratios: ${Object.entries(ratios).map(([k, v]) => `${k} = ${v}`).join('; ')}\n`);
  for (const e of failures.examples) process.stdout.write(`  ${e}\n`);
  for (const [what, n] of counts.errors) process.stdout.write(`  ${n} × ${what}\n`);
  const profiles = [];
  if (profile) {
    const file = `${profileOut}-worker.0.cpuprofile`;
    await waitForProfile(file);
    const p = cpuProfileShares(file, BUCKETS, delivered);
    profiles.push({ who: 'worker (load + drain)', file, perEventUs: Math.round(p.perUnitUs), rows: p.rows.map((r) => ({ ...r, us: round(r.us, 1) })) });
    process.stdout.write(`\nworker (load + drain): ${p.perUnitUs.toFixed(1)} µs per delivered event under the profiler (${file})\n`);
    for (const row of p.rows) process.stdout.write(`  ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.us.toFixed(1).padStart(6)} µs  ${row.k}\n`);
  }
  const ok = failures.signature === 0 && failures.unparsable === 0 && checks.every((c) => c['equal to log'] === 'yes') && settled;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'webhook-lag',
      date: new Date().toISOString(),
      machine: machine(),
      loadavgStart: loadAvgStart.map((n) => round(n)),
      rate,
      seconds: round(loaded.sentSeconds, 1),
      requests: counts.requests,
      writes: counts.writes,
      requestsNot2xx: counts.failed,
      receiverHost,
      committedPerSecondDuringLoad: round(committedPerSecond, 1),
      deliveredPerSecondDuringLoad: round(deliveredPerSecond, 1),
      deliveredPerSecondOverall: round(overallPerSecond, 1),
      drainSeconds: round(drainSeconds, 1),
      lag: lagRows,
      checks,
      signatureFailures: failures.signature,
      cpuMsPerDelivered: { api: per(cpu.api), worker: per(cpu.worker), postgres: per(cpu.postgres) },
      machineBusyPercent: busy,
      dispatcher,
      profiles,
      ratios,
      ok,
    })}\n`,
  );
  return ok ? 0 : 1;
});
