// @ts-check
'use strict';
/**
 * The audit trail on a log of a million events: how fast it is exported and verified, how much
 * memory an export takes, and how fast a filtered page of GET /v1/audit-events is.
 *
 *   node bench/audit-1m.js                       # 1,000,000 events in the exported company
 *   BENCH_EVENTS=100000 node bench/audit-1m.js   # a quicker run
 *
 * 1. Log: `keyward companies create` makes three companies; then BENCH_EVENTS events of the first
 *    and BENCH_OTHER_EVENTS (default 5 % of it) of the other two, interleaved, are appended through
 *    the real EventStore (dist/, batches of BENCH_BATCH = 5,000: one append, one lock, one hash
 *    chain) — about 93 % KeyUsed, 4 % AuthenticationFailed, the rest key lifecycle, over 30 days
 *    of simulated time. `VACUUM ANALYZE events` follows, as autovacuum would.
 * 2. Export: one API process (no worker: nothing here needs one), GET
 *    /v1/audit-events/export?format=jsonl of the whole first company, streamed to a file;
 *    events/s, and the API's resident memory (VmRSS, and its peak VmHWM, from /proc) sampled
 *    every 100 ms: before, at 10 %, 50 % and 100 % of the rows.
 * 3. Verify: `keyward audit verify --json` (the command line on the database) over the whole log,
 *    and `keyward audit verify --file` (offline) over the exported file; events/s, wall clock
 *    including the command's start-up.
 * 4. Filtered pages: BENCH_QUERIES (200) sequential GET /v1/audit-events?<filter> (limit 50) for
 *    each filter, with values drawn at random from the generated log; p50/p95/p99. Then
 *    EXPLAIN (ANALYZE, BUFFERS) of each filter's query, as libs/audit builds it (filterSql).
 * 5. Appends one at a time: BENCH_APPENDS (1,000) sequential single-event EventStore.append on the
 *    full log (the head read `SELECT hash FROM events ORDER BY position DESC LIMIT 1` in each);
 *    p50/p95/p99, and EXPLAIN ANALYZE of the head read.
 * 6. Archive (the log is partitioned by position; here BENCH_PARTITION_WIDTH = 100,000 positions a
 *    partition, set before the first event): `keyward audit archive --before <now> --out <dir>`
 *    archives every closed partition (the first 1,000,000 positions), its resident memory
 *    sampled every 100 ms from /proc; the events table's size before and after; then
 *    `keyward audit verify --archive <dir>` (segments offline and the link to the live log) and
 *    `keyward audit verify` of what is left.
 *
 * BENCH_ONLY_APPEND=1: steps 1 and 5 only (e.g. with a build from before the partitioning, to compare).
 * Needs `npm run build`. Never prints a key.
 */
const { randomUUID, randomBytes, createHash } = require('node:crypto');
const { readFileSync, rmSync, mkdtempSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { benchEnv, createCompany, envInt, machine, onCleanup, printTable, run, runCli, send, startProcess, summary, withClient } = require('./lib');

const ROOT = path.resolve(__dirname, '..');
const EVENTS = envInt('BENCH_EVENTS', 1_000_000);
const OTHER_EVENTS = envInt('BENCH_OTHER_EVENTS', Math.max(1, Math.round(EVENTS * 0.05)));
const BATCH = envInt('BENCH_BATCH', 5_000);
const QUERIES = envInt('BENCH_QUERIES', 200);
const KEYS_PER_COMPANY = envInt('BENCH_KEYS', 200);
const APPENDS = envInt('BENCH_APPENDS', 1_000);
const PARTITION_WIDTH = envInt('BENCH_PARTITION_WIDTH', 100_000);
const ONLY_APPEND = process.env.BENCH_ONLY_APPEND === '1';
/** The events table with its indexes: the sum of its partitions' (a partitioned parent holds nothing itself), or the table's. */
const EVENTS_SIZE = `SELECT pg_size_pretty(pg_total_relation_size('events') + coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'events'::regclass), 0)) AS s`;
/** Simulated time: the generated events cover the 30 days up to the start of the run, in log order. */
const SPAN_MS = 30 * 86_400_000;
const T0 = Date.now() - SPAN_MS;

run(async () => {
  const started = Date.now();
  // the archive signs each segment's seal with the audit checkpoint key: one of the bench's own
  const { env } = await benchEnv({ DEFAULT_RATE_LIMIT: '1000000000', AUTH_FAILURE_LIMIT: '1000000', AUDIT_SIGNING_KEY: randomBytes(32).toString('base64') });
  const work = mkdtempSync(path.join(tmpdir(), 'keyward-bench-audit-'));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));

  // the schema first (any operator command migrates), then narrower partitions while the log is empty
  await timedCli(['audit', 'verify', '--json'], env);
  const partitioned = await withClient(env.DATABASE_URL, async (c) => {
    if ((await c.query(`SELECT to_regclass('events_partitioning') AS t`)).rows[0].t === null) return false; // a build from before
    await c.query('UPDATE events_partitioning SET width = $1, ahead = 2', [PARTITION_WIDTH]);
    for (const { name } of (await c.query('SELECT name FROM events_partition_bounds')).rows) {
      await c.query(`ALTER TABLE events DETACH PARTITION ${c.escapeIdentifier(name)}`);
      await c.query(`DROP TABLE ${c.escapeIdentifier(name)}`);
    }
    await c.query('SELECT keyward_events_ensure_partitions(0)');
    return true;
  });

  process.stderr.write('companies…\n');
  const companies = [];
  for (let i = 0; i < 3; i++) companies.push(await createCompany(env));
  const [main] = companies;

  // ------------------------------------------------------------ 1. the log
  const generation = await generateLog(env.DATABASE_URL, companies);
  const vacuumStarted = Date.now();
  await withClient(env.DATABASE_URL, (c) => c.query('VACUUM ANALYZE events'));
  const vacuumMs = Date.now() - vacuumStarted;
  const total = await withClient(env.DATABASE_URL, async (c) => {
    const all = Number((await c.query('SELECT count(*) AS n FROM events')).rows[0].n);
    const ofMain = Number((await c.query('SELECT count(*) AS n FROM events WHERE company_id = $1', [main.companyId])).rows[0].n);
    const size = (await c.query(EVENTS_SIZE)).rows[0].s;
    return { all, ofMain, size };
  });
  process.stderr.write(`log: ${total.all.toLocaleString('en')} events (${total.ofMain.toLocaleString('en')} of the exported company), events table and indexes ${total.size}\n`);

  // ------------------------------------------------------------ 5. appends one at a time (before the API adds its own)
  const appends = await measureAppends(env.DATABASE_URL, main);
  if (ONLY_APPEND) {
    const figures = { bench: 'audit-1m', only: 'append', partitioned, events: total.all, generate: { ms: generation.ms, eventsPerSecond: rate(generation.events, generation.ms), batch: BATCH }, appends, machine: machine() };
    process.stdout.write(`\n${JSON.stringify(figures)}\n`);
    return 0;
  }

  // ------------------------------------------------------------ 2. export over HTTP
  const api = await startProcess('api', env);
  await send(api.url, 'GET', '/v1/audit-events?limit=50', main.key); // warm: routes, pool, key cache
  // no worker runs: the usage records of the bench's own requests stay queued, out of the log
  const exported = await measureExport(api, main.key, total.ofMain, path.join(work, 'export.jsonl'));

  // ------------------------------------------------------------ 3. verify with the command line
  process.stderr.write('keyward audit verify (database)…\n');
  const verifyDb = await timedCli(['audit', 'verify', '--json'], env);
  if (!verifyDb.json.ok) throw new Error(`the generated chain does not verify: ${JSON.stringify(verifyDb.json)}`);
  process.stderr.write('keyward audit verify --file (offline)…\n');
  const verifyFile = await timedCli(['audit', 'verify', '--file', exported.file, '--json'], {});
  if (!verifyFile.json.ok) throw new Error(`the export does not verify offline: ${JSON.stringify(verifyFile.json)}`);
  rmSync(exported.file, { force: true });

  // ------------------------------------------------------------ 4. filtered pages
  const samples = await sampleValues(env.DATABASE_URL, main.companyId);
  const filters = filterCases(samples);
  const queryRows = [];
  for (const f of filters) {
    process.stderr.write(`GET /v1/audit-events?${f.name} × ${QUERIES}…\n`);
    const ms = [];
    let items = 0;
    for (let i = 0; i < QUERIES; i++) {
      const r = await send(api.url, 'GET', `/v1/audit-events?${new URLSearchParams(f.params())}`, main.key);
      if (r.status !== 200) throw new Error(`GET /v1/audit-events?${f.name} → ${r.status} ${JSON.stringify(r.body)}`);
      ms.push(r.ms);
      items += r.body.items.length;
    }
    queryRows.push({ filter: f.name, ...summary(ms), 'items/page': Math.round((items / QUERIES) * 10) / 10 });
  }
  const plans = await explainAll(env.DATABASE_URL, main.companyId, filters);

  // ------------------------------------------------------------ 6. archive
  const archive = await measureArchive(env, path.join(work, 'archive'));

  // ------------------------------------------------------------ output
  const out = (s = '') => process.stdout.write(`${s}\n`);
  out(`\naudit trail on ${total.all.toLocaleString('en')} events (${total.ofMain.toLocaleString('en')} in the exported company, 3 companies); ${JSON.stringify(machine())}\n`);
  printTable(
    [
      { step: 'generate (EventStore.append)', events: generation.events, seconds: sec(generation.ms), 'events/s': rate(generation.events, generation.ms) },
      { step: 'VACUUM ANALYZE events', events: total.all, seconds: sec(vacuumMs), 'events/s': '-' },
      { step: 'keyward audit export (HTTP, jsonl)', events: exported.rows, seconds: sec(exported.ms), 'events/s': rate(exported.rows, exported.ms) },
      { step: 'keyward audit verify', events: verifyDb.json.checked, seconds: sec(verifyDb.ms), 'events/s': rate(verifyDb.json.checked, verifyDb.ms) },
      { step: 'keyward audit verify --file', events: verifyFile.json.rows, seconds: sec(verifyFile.ms), 'events/s': rate(verifyFile.json.rows, verifyFile.ms) },
    ],
    ['step', 'events', 'seconds', 'events/s'],
  );
  out(`\nexport: ${(exported.bytes / 1048576).toFixed(0)} MiB; API resident memory (MiB) while exporting:`);
  printTable(
    exported.memory.map((m) => ({ at: m.at, rows: m.rows, 'VmRSS MiB': mib(m.rss), 'VmHWM MiB': mib(m.hwm) })),
    ['at', 'rows', 'VmRSS MiB', 'VmHWM MiB'],
  );
  out(`\nGET /v1/audit-events (limit 50), ${QUERIES} sequential requests per filter, milliseconds:`);
  printTable(queryRows, ['filter', 'n', 'p50', 'p95', 'p99', 'max', 'mean', 'items/page']);
  out('\nEXPLAIN (ANALYZE, BUFFERS) of each filter (libs/audit filterSql, first page):');
  for (const p of plans) out(`\n-- ${p.filter}: ${p.indexes.join(', ') || 'no index'}; ${p.executionMs} ms\n${p.plan}`);
  out(`\nsingle-event appends on the full log (EventStore.append, ${APPENDS} sequential), milliseconds:`);
  printTable([{ step: 'append 1 event', ...appends.ms }], ['step', 'n', 'p50', 'p95', 'p99', 'max', 'mean']);
  out(`head read (SELECT hash FROM events ORDER BY position DESC LIMIT 1): ${appends.headRead.executionMs} ms\n${appends.headRead.plan}`);
  out(`\narchive: ${archive.events.toLocaleString('en')} events in ${archive.segments} segments (${(archive.bytes / 1048576).toFixed(0)} MiB gzip), positions 1..${archive.throughPosition}, partitions ${partitioned ? `${PARTITION_WIDTH.toLocaleString('en')} positions wide` : '(none)'}`);
  printTable(
    [
      { step: 'keyward audit archive', events: archive.events, seconds: sec(archive.ms), 'events/s': rate(archive.events, archive.ms) },
      { step: 'keyward audit verify --archive (offline + live link)', events: archive.verifyArchive.events, seconds: sec(archive.verifyArchive.ms), 'events/s': rate(archive.verifyArchive.events, archive.verifyArchive.ms) },
      { step: 'keyward audit verify (from the seal)', events: archive.verifyAfter.checked, seconds: sec(archive.verifyAfter.ms), 'events/s': rate(archive.verifyAfter.checked, archive.verifyAfter.ms) },
    ],
    ['step', 'events', 'seconds', 'events/s'],
  );
  out(`events table and indexes: ${archive.sizeBefore} before, ${archive.sizeAfter} after (events_retained: ${archive.retained})`);
  out('archive command resident memory (MiB), sampled every 100 ms:');
  printTable(archive.memory.map((m) => ({ at: m.at, 'events written': m.events, 'VmRSS MiB': mib(m.rss), 'VmHWM MiB': mib(m.hwm) })), ['at', 'events written', 'VmRSS MiB', 'VmHWM MiB']);

  const at = (label) => exported.memory.find((m) => m.at === label);
  const figures = {
    bench: 'audit-1m',
    events: total.all,
    exportedCompanyEvents: total.ofMain,
    generate: { ms: generation.ms, eventsPerSecond: rate(generation.events, generation.ms), batch: BATCH },
    export: {
      rows: exported.rows,
      ms: exported.ms,
      eventsPerSecond: rate(exported.rows, exported.ms),
      bytes: exported.bytes,
      rssMiB: { before: mib(at('before').rss), at10: mib(at('10%').rss), at50: mib(at('50%').rss), at100: mib(at('100%').rss) },
      peakRssMiB: mib(Math.max(...exported.memory.map((m) => m.hwm))),
    },
    verify: { checked: verifyDb.json.checked, ms: verifyDb.ms, eventsPerSecond: rate(verifyDb.json.checked, verifyDb.ms) },
    verifyFile: { rows: verifyFile.json.rows, ms: verifyFile.ms, eventsPerSecond: rate(verifyFile.json.rows, verifyFile.ms) },
    queries: Object.fromEntries(queryRows.map((r) => [r.filter, { p50: r.p50, p99: r.p99 }])),
    plans: Object.fromEntries(plans.map((p) => [p.filter, { indexes: p.indexes, executionMs: p.executionMs }])),
    appends: { ms: appends.ms, headReadMs: appends.headRead.executionMs },
    archive: {
      events: archive.events,
      segments: archive.segments,
      bytes: archive.bytes,
      ms: archive.ms,
      eventsPerSecond: rate(archive.events, archive.ms),
      tableBefore: archive.sizeBefore,
      tableAfter: archive.sizeAfter,
      rssMiB: Object.fromEntries(archive.memory.map((m) => [m.at, mib(m.rss)])),
      peakRssMiB: mib(Math.max(...archive.memory.map((m) => m.hwm))),
      verifyArchive: { events: archive.verifyArchive.events, ms: archive.verifyArchive.ms },
      verifyAfter: { checked: archive.verifyAfter.checked, ms: archive.verifyAfter.ms },
    },
    totalSeconds: sec(Date.now() - started),
    machine: machine(),
  };
  out(`\n${JSON.stringify(figures)}`);
  return 0;
});

// ---------------------------------------------------------------- 1. the log

/**
 * Appends the events through the EventStore of dist/ (the code the API runs): per batch one
 * transaction, one append lock, hashes chained from the head. Returns what it took.
 */
async function generateLog(databaseUrl, companies) {
  const { DataSource } = require('typeorm');
  const { EventStore } = require(path.join(ROOT, 'dist/libs/event-store/src'));
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, extra: { max: 2 } });
  await dataSource.initialize();
  onCleanup(() => dataSource.destroy());
  const store = new EventStore(dataSource);

  const plans = companies.map((c, i) => ({
    company: c,
    remaining: i === 0 ? EVENTS : Math.floor(OTHER_EVENTS / (companies.length - 1)),
    keys: [],
    ips: Array.from({ length: 300 }, (_, n) => (n % 7 === 0 ? `2001:db8:${i}::${n.toString(16)}` : `198.51.${100 + i}.${n % 250}`)),
    requests: 0,
  }));
  const all = plans.reduce((n, p) => n + p.remaining, 0);
  let produced = 0;
  const started = Date.now();
  let lastReport = 0;
  while (produced < all) {
    const batch = [];
    while (batch.length < BATCH && produced < all) {
      // interleave companies in proportion to what each still has to produce
      const left = all - produced;
      let pick = Math.random() * left;
      const plan = plans.find((p) => (pick -= p.remaining) < 0) ?? plans.find((p) => p.remaining > 0);
      plan.remaining--;
      batch.push(nextEvent(plan, new Date(T0 + Math.floor((produced / all) * SPAN_MS))));
      produced++;
    }
    await store.append(batch, { expectedVersions: {} });
    if (Date.now() - lastReport > 5000 || produced === all) {
      lastReport = Date.now();
      const ms = Date.now() - started;
      process.stderr.write(`  appended ${produced.toLocaleString('en')}/${all.toLocaleString('en')} (${rate(produced, ms)} events/s)\n`);
    }
  }
  return { events: all, ms: Date.now() - started };
}

const ROUTES = [
  ['GET', '/v1/me'],
  ['GET', '/v1/keys'],
  ['GET', '/v1/keys/:id'],
  ['POST', '/v1/keys/verify'],
  ['GET', '/v1/users'],
  ['PATCH', '/v1/keys/:id'],
];
const AGENTS = ['curl/8.5.0', 'python-requests/2.32.3', 'node-fetch/3', 'Go-http-client/2.0', 'okhttp/4.12.0'];
const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** One realistic event of the plan's company: mostly usage of its keys, sometimes their lifecycle. */
function nextEvent(plan, occurredAt) {
  const { company } = plan;
  const actorKey = { type: 'key', id: company.keyId };
  const meta = () => ({ ip: pick(plan.ips), userAgent: pick(AGENTS), requestId: `req-${plan.company.companyId.slice(0, 8)}-${(plan.requests++).toString(36)}` });
  const r = Math.random();
  if (plan.keys.length < 5 || r < 0.015) {
    const keyId = randomUUID();
    plan.keys.push(keyId);
    if (plan.keys.length > KEYS_PER_COMPANY) plan.keys.shift();
    const secret = randomBytes(16).toString('hex');
    return {
      streamId: `key-${keyId}`,
      type: 'KeyCreated',
      companyId: company.companyId,
      actor: actorKey,
      metadata: meta(),
      occurredAt,
      data: {
        keyId,
        ownerId: company.userId,
        type: 'standard',
        start: `kw_${secret.slice(0, 7)}`,
        hash: createHash('sha256').update(secret).digest('hex'),
        rotatedFrom: null,
        name: `service ${plan.keys.length}`,
        description: null,
        permissions: ['keys:read', 'keys:verify'],
        expiresAt: null,
        allowedIps: [],
        rateLimit: null,
      },
    };
  }
  const keyId = pick(plan.keys);
  if (r < 0.025) {
    return { streamId: `key-${keyId}`, type: 'KeyUpdated', companyId: company.companyId, actor: actorKey, metadata: meta(), occurredAt, data: { keyId, changes: { name: `renamed ${Math.floor(r * 1e6)}` } } };
  }
  if (r < 0.03) {
    return { streamId: `key-${keyId}`, type: 'KeyRevoked', companyId: company.companyId, actor: actorKey, metadata: meta(), occurredAt, data: { keyId, reason: 'rotated out' } };
  }
  const m = meta();
  const [method, route] = pick(ROUTES);
  if (r < 0.07) {
    return {
      streamId: `auth-failures-${company.companyId}`,
      type: 'AuthenticationFailed',
      companyId: company.companyId,
      actor: { type: 'system', id: 'anonymous' },
      metadata: m,
      occurredAt,
      data: { keyId: null, reason: 'INVALID_API_KEY', method, route, ip: m.ip, userAgent: m.userAgent, requestId: m.requestId },
    };
  }
  return {
    streamId: `usage-${keyId}`,
    type: 'KeyUsed',
    companyId: company.companyId,
    actor: { type: 'key', id: keyId },
    metadata: m,
    occurredAt,
    data: { keyId, method, route, status: Math.random() < 0.97 ? 200 : 404, ip: m.ip, userAgent: m.userAgent, requestId: m.requestId, durationMs: Math.round(Math.random() * 40 * 10) / 10 },
  };
}

// ---------------------------------------------------------------- 5. appends one at a time

/** APPENDS sequential one-event appends through the EventStore of dist/, and the head read's plan. */
async function measureAppends(databaseUrl, company) {
  process.stderr.write(`${APPENDS} single-event appends…\n`);
  const { DataSource } = require('typeorm');
  const { EventStore } = require(path.join(ROOT, 'dist/libs/event-store/src'));
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, extra: { max: 2 } });
  await dataSource.initialize();
  try {
    const store = new EventStore(dataSource);
    const plan = { company, keys: [company.keyId], ips: ['198.51.100.7'], requests: 0 };
    const ms = [];
    for (let i = 0; i < APPENDS; i++) {
      const event = nextEvent(plan, new Date());
      const started = process.hrtime.bigint();
      await store.append([event], { expectedVersions: {} });
      ms.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const lines = (await dataSource.query('EXPLAIN ANALYZE SELECT hash FROM events ORDER BY position DESC LIMIT 1')).map((r) => r['QUERY PLAN']);
    return { ms: summary(ms.slice(Math.min(50, ms.length - 1))), headRead: { executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1] ?? NaN), plan: lines.join('\n') } };
  } finally {
    await dataSource.destroy();
  }
}

// ---------------------------------------------------------------- 6. archive

/**
 * `keyward audit archive` of every closed partition (every event so far occurred before now: no
 * worker runs, so the API's own usage records stay queued), its memory sampled every 100 ms; the table's size before and after; then both
 * verifications. Throws if anything does not verify.
 */
async function measureArchive(env, dir) {
  const size = () =>
    withClient(env.DATABASE_URL, async (c) =>
      (await c.query(EVENTS_SIZE)).rows[0].s,
    );
  const sizeBefore = await size();
  // every event so far (the generated ones, the companies' and the single appends) occurred before now
  const before = new Date().toISOString();
  process.stderr.write(`keyward audit archive --before ${before}…\n`);
  const { spawn } = require('node:child_process');
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/cli/src/main.js'), 'audit', 'archive', '--before', before, '--out', dir, '--json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const samples = [];
  const sampler = setInterval(() => {
    const m = memoryOf(child.pid);
    if (!Number.isNaN(m.rss)) samples.push({ t: Date.now() - started, ...m, bytes: dirBytes(dir) });
  }, 100);
  const code = await new Promise((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  const ms = Date.now() - started;
  if (code !== 0) throw new Error(`keyward audit archive exited with ${code}: ${stderr.slice(-2000)}`);
  const run = JSON.parse(stdout.trim().split('\n').pop());
  if (!run.manifest) throw new Error(`nothing was archived: ${JSON.stringify(run.stoppedAt)}`);
  const sizeAfter = await size();
  const retained = await withClient(env.DATABASE_URL, async (c) => (await c.query(`SELECT pg_size_pretty(pg_total_relation_size('events_retained')) AS s`)).rows[0].s);
  // memory against progress: the samples nearest 10 %, 50 % and 100 % of the bytes written
  const total = run.bytes;
  const near = (f) => samples.find((m) => m.bytes >= f * total) ?? samples[samples.length - 1];
  const row = (at, m) => ({ at, events: Math.round((Math.min(m.bytes, total) / total) * run.events), rss: m.rss, hwm: m.hwm });
  const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a), samples[0]);
  const memory = [row('start', samples[0]), row('10%', near(0.1)), row('50%', near(0.5)), row('end', samples[samples.length - 1]), row('highest sampled', peak)];

  process.stderr.write('keyward audit verify --archive…\n');
  const verifyArchive = await timedCli(['audit', 'verify', '--archive', dir, '--json'], env);
  if (!verifyArchive.json.ok) throw new Error(`the archive does not verify: ${JSON.stringify(verifyArchive.json.problems?.slice(0, 3))}`);
  process.stderr.write('keyward audit verify (after the archive)…\n');
  const verifyAfter = await timedCli(['audit', 'verify', '--json'], env);
  if (!verifyAfter.json.ok) throw new Error(`the live log does not verify after the archive: ${JSON.stringify(verifyAfter.json)}`);
  return {
    events: run.events,
    segments: run.segments.length,
    bytes: run.bytes,
    throughPosition: run.through.position,
    ms,
    sizeBefore,
    sizeAfter,
    retained,
    memory,
    verifyArchive: { events: verifyArchive.json.events, ms: verifyArchive.ms },
    verifyAfter: { checked: verifyAfter.json.checked, ms: verifyAfter.ms },
  };
}

/** Bytes of the files in a directory (the archive as it is being written); 0 before it exists. */
function dirBytes(dir) {
  const { readdirSync } = require('node:fs');
  try {
    return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------- 2. export

/**
 * `keyward audit export` (the auditor's command line, over HTTP) of the whole company to a file,
 * while the API's memory and the file's size are sampled every 100 ms; the samples nearest to 10 %,
 * 50 % and 100 % of the bytes are reported.
 */
async function measureExport(api, key, expectedRows, file) {
  process.stderr.write(`keyward audit export of ${expectedRows.toLocaleString('en')} events (jsonl)…\n`);
  const samples = [{ bytes: 0, ...memoryOf(api.pid) }];
  const sampler = setInterval(() => {
    let bytes = 0;
    try {
      bytes = statSync(`${file}.partial`).size;
    } catch {
      bytes = samples[samples.length - 1].bytes; // not created yet, or already renamed
    }
    samples.push({ bytes, ...memoryOf(api.pid) });
  }, 100);
  let result;
  try {
    result = await timedCli(['audit', 'export', '--format', 'jsonl', '--out', file, '--json'], { KEYWARD_URL: api.url, KEYWARD_API_KEY: key });
  } finally {
    clearInterval(sampler);
  }
  const { events: rows, bytes } = result.json;
  samples.push({ bytes, ...memoryOf(api.pid) });
  if (rows < expectedRows) throw new Error(`the export had ${rows} rows, expected at least ${expectedRows}`);
  const near = (fraction) => samples.find((m) => m.bytes >= fraction * bytes) ?? samples[samples.length - 1];
  const row = (at, m) => ({ at, rows: Math.round((m.bytes / bytes) * rows), rss: m.rss, hwm: m.hwm });
  const memory = [row('before', samples[0]), row('10%', near(0.1)), row('50%', near(0.5)), row('100%', samples[samples.length - 1])];
  const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
  memory.push({ ...row('highest sampled', peak), rows: Math.round((peak.bytes / bytes) * rows) });
  return { rows, bytes, ms: result.ms, memory, file };
}

/** VmRSS and VmHWM (peak resident set) of a process, in bytes, from /proc. */
function memoryOf(pid) {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // it has exited
  }
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

// ---------------------------------------------------------------- 3. the command line

/** The built CLI with `--json`, timed from spawn to exit (start-up included); rejects without a JSON line. */
async function timedCli(args, env) {
  const r = await runCli(args, env);
  if (r.json === null) throw new Error(`keyward ${args.join(' ')} exited with ${r.code}: ${r.stderr.slice(-2000)}`);
  return r;
}

// ---------------------------------------------------------------- 4. filtered pages

/** Values that exist in the exported company's log, to draw filters from. */
async function sampleValues(databaseUrl, companyId) {
  return withClient(databaseUrl, async (c) => {
    const q = async (sql) => (await c.query(sql, [companyId])).rows.map((r) => r.v);
    return {
      keyIds: await q(`SELECT DISTINCT data->>'keyId' AS v FROM events WHERE company_id = $1 AND type = 'KeyCreated' LIMIT 500`),
      ips: await q(`SELECT DISTINCT metadata->>'ip' AS v FROM events TABLESAMPLE SYSTEM (1) WHERE company_id = $1 AND metadata->>'ip' IS NOT NULL LIMIT 300`),
      requestIds: await q(`SELECT metadata->>'requestId' AS v FROM events TABLESAMPLE SYSTEM (1) WHERE company_id = $1 AND metadata->>'requestId' IS NOT NULL LIMIT 1000`),
    };
  });
}

function filterCases(s) {
  /** A window of the simulated time, placed at random. */
  const window = (ms) => () => {
    const start = T0 + Math.floor(Math.random() * (SPAN_MS - ms));
    return { from: new Date(start), to: new Date(start + ms) };
  };
  const iso = (w) => ({ from: w.from.toISOString(), to: w.to.toISOString() });
  const hour = window(3_600_000);
  const week = window(7 * 86_400_000);
  return [
    { name: 'type=KeyRevoked', params: () => ({ type: 'KeyRevoked' }), sql: () => ({ types: ['KeyRevoked'] }) },
    { name: 'type=KeyUsed', params: () => ({ type: 'KeyUsed' }), sql: () => ({ types: ['KeyUsed'] }) },
    { name: 'keyId', params: () => ({ keyId: pick(s.keyIds) }), sql: () => ({ keyId: pick(s.keyIds) }) },
    { name: 'actorId', params: () => ({ actorId: pick(s.keyIds) }), sql: () => ({ actorId: pick(s.keyIds) }) },
    { name: 'ip', params: () => ({ ip: pick(s.ips) }), sql: () => ({ ip: pick(s.ips) }) },
    { name: 'requestId', params: () => ({ requestId: pick(s.requestIds) }), sql: () => ({ requestId: pick(s.requestIds) }) },
    { name: 'from/to (1 hour)', params: () => iso(hour()), sql: hour },
    { name: 'from/to (7 days)', params: () => iso(week()), sql: week },
    { name: 'keyId+type=KeyUsed', params: () => ({ keyId: pick(s.keyIds), type: 'KeyUsed' }), sql: () => ({ keyId: pick(s.keyIds), types: ['KeyUsed'] }) },
  ];
}

/** EXPLAIN (ANALYZE, BUFFERS) of the first page of each filter, built by libs/audit itself. */
async function explainAll(databaseUrl, companyId, filters) {
  const { pageSql } = require(path.join(ROOT, 'dist/libs/audit/src'));
  return withClient(databaseUrl, async (c) => {
    const plans = [];
    for (const f of filters) {
      const { sql: page, params } = pageSql({ companyId, ...f.sql() }, { after: 0 }, 'asc', 51);
      const sql = `EXPLAIN (ANALYZE, BUFFERS) ${page}`;
      const lines = (await c.query(sql, params)).rows.map((r) => r['QUERY PLAN']);
      // on the partitioned log, each partition's own index: named once, by what follows the partition's name
      const indexes = [
        ...new Set(lines.flatMap((l) => [...l.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)].map((m) => m[1].replace(/^events_from_\d+_/, 'events_from_*_')))),
      ];
      const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1] ?? NaN);
      plans.push({ filter: f.name, indexes, executionMs, plan: lines.join('\n') });
    }
    return plans;
  });
}

// ---------------------------------------------------------------- small things

const sec = (ms) => Math.round(ms / 100) / 10;
const rate = (n, ms) => Math.round(n / Math.max(0.001, ms / 1000));
const mib = (bytes) => Math.round(bytes / 1048576);

