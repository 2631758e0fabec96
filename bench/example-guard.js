// @ts-check
'use strict';
/**
 * The example service (`apps/example-invoices`, guarded by @keyward/nestjs) against a real Keyward
 * (one API process and a worker), with two instances of the example connected to it:
 *
 * 1. throughput: autocannon on example instance A, first its public route (GET /health), then its
 *    guarded route (GET /invoices with a customer key holding `invoices:read`, cache warm), same
 *    connections and duration: req/s, p50/p99 latency and guarded ÷ public (goal ≥ 0.85), plus the
 *    CPU each process spent per request;
 *    Then the same for a bare NestJS app (bench/reference/nest-app.js, same adapter, no Keyward):
 *    its public route against a route behind the least guard with a usage trail and rate-limit
 *    headers — the ratio Nest itself leaves such a guard on this machine;
 * 2. revoke latency: each iteration creates a key with `invoices:read`, warms it on both example
 *    instances, revokes it through Keyward (timed), then asks both instances: anything but 401 is a
 *    violation.
 *
 *   node bench/example-guard.js
 *   BENCH_DURATION=2 BENCH_WARMUP=1 BENCH_ITERATIONS=5 node bench/example-guard.js
 *
 * Needs `npm run build` (it builds the example service too). Every request has a client timeout
 * (BENCH_TIMEOUT_MS; autocannon's too). No key is ever printed.
 */
const path = require('node:path');
const autocannon = require('autocannon');
const {
  benchEnv,
  cpuMs,
  createCompany,
  envInt,
  loadFigures,
  machine,
  machineJiffies,
  postgresCpuMs,
  postgresCpuSince,
  printTable,
  run,
  startProcess,
  summary,
  trySend,
  withClient,
} = require('./lib');

const connections = envInt('BENCH_CONNECTIONS', 50);
const duration = envInt('BENCH_DURATION', 10);
const warmup = envInt('BENCH_WARMUP', 2);
const iterations = envInt('BENCH_ITERATIONS', 50);
const warmCalls = envInt('BENCH_WARM_CALLS', 2);
const timeoutMs = envInt('BENCH_TIMEOUT_MS', 20_000);
/** Keyward's BODY_LIMIT (e.g. 1mb); unset: Keyward's default, what an operator gets. */
const bodyLimit = process.env.BENCH_BODY_LIMIT || undefined;
const GOAL = 0.85;

run(async () => {
  // limits out of reach: the figures are the guard's cost, not a limiter refusing (each check of a
  // revoked key is a failed authentication from this one address)
  const { env } = await benchEnv({
    DEFAULT_RATE_LIMIT: '1000000000',
    DEFAULT_RATE_LIMIT_WINDOW_SECONDS: '60',
    AUTH_FAILURE_LIMIT: '1000000',
    ...(bodyLimit ? { BODY_LIMIT: bodyLimit } : {}),
  });
  const { loadConfig } = require(path.join(__dirname, '..', 'dist/libs/config/src'));
  const leaseMs = loadConfig(env).authCache.leaseMs;
  const company = await createCompany(env);
  const adminKey = company.key;
  const [worker, api] = await Promise.all([startProcess('worker', env), startProcess('api', env)]);

  const call = (url, method, route, key, body) => trySend(url, method, route, key, body, timeoutMs);
  /** A Keyward call that must succeed with `status`; the error names the route and the answer, never a key. */
  async function keyward(method, route, body, status) {
    const r = await call(api.url, method, route, adminKey, body);
    if (r.status !== status) throw new Error(`${method} ${route} → ${r.status} ${r.body?.code ?? ''} (expected ${status})`);
    return r.body;
  }

  await keyward('POST', '/v1/permissions', { name: 'invoices:read' }, 201);
  const serviceKey = (await keyward('POST', '/v1/keys', { name: 'example-invoices service', permissions: ['keys:verify'] }, 201)).key;
  const customer = await keyward('POST', '/v1/keys', { name: 'bench customer', permissions: ['invoices:read'] }, 201);
  const customerKey = customer.key;

  const exampleEnv = { NODE_ENV: 'production', NO_COLOR: '1', KEYWARD_URL: api.url, KEYWARD_API_KEY: serviceKey };
  const [A, B] = await Promise.all([startProcess('example', exampleEnv), startProcess('example', exampleEnv)]);
  const examples = [
    { name: 'A', url: A.url },
    { name: 'B', url: B.url },
  ];
  for (const ex of examples) {
    const r = await call(ex.url, 'GET', '/invoices', customerKey);
    if (r.status !== 200) throw new Error(`GET /invoices on example ${ex.name} with the customer key → ${r.status} ${r.body?.code ?? ''}`);
  }

  // ------------------------------------------------------------ 1. guarded ÷ public on example A
  const processes = { 'example A': A.pid, 'Keyward API': api.pid, worker: worker.pid };
  /** autocannon on `url`, with the CPU each process (and the bench itself) spent meanwhile. */
  async function load(url, seconds, headers = {}) {
    const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuMs(pid)]));
    const benchBefore = process.cpuUsage();
    const pgBefore = postgresCpuMs();
    const machineBefore = machineJiffies();
    const result = await autocannon({ url, connections, duration: seconds, headers, timeout: Math.ceil(timeoutMs / 1000) });
    const bench = process.cpuUsage(benchBefore);
    const pg = postgresCpuSince(pgBefore);
    const machineAfter = machineJiffies();
    const busy = Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100);
    const cpu = Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => {
        const after = cpuMs(pid);
        return [name, after === undefined || before[name] === undefined ? undefined : after - before[name]];
      }),
    );
    cpu.bench = (bench.user + bench.system) / 1000;
    cpu.postgres = pg;
    return { result, cpu, busy };
  }
  const publicUrl = `${A.url}/health`;
  const guardedUrl = `${A.url}/invoices`;
  const auth = { 'x-api-key': customerKey };
  process.stderr.write(`warming up (${warmup} s each), then ${duration} s per route with ${connections} connections on example A…\n`);
  await load(publicUrl, warmup);
  const guardedWarm = await load(guardedUrl, warmup, auth);
  const pub = await load(publicUrl, duration);
  const guarded = await load(guardedUrl, duration, auth);
  const ratio = Math.round((guarded.result.requests.average / pub.result.requests.average) * 1000) / 1000;
  const loadRows = [loadFigures('GET /health (public)', pub.result), loadFigures('GET /invoices (guarded)', guarded.result)];
  /** CPU ms per request of each process during a run. */
  const cpuPerRequest = (run) =>
    Object.fromEntries(
      Object.entries(run.cpu).map(([name, ms]) => [name, ms === undefined ? undefined : Math.round((ms / run.result.requests.total) * 1000) / 1000]),
    );
  // what the guard costs the service itself: its own CPU per request, whoever else shares the machine
  const serviceCpuRatio = Math.round((pub.cpu['example A'] / pub.result.requests.total / (guarded.cpu['example A'] / guarded.result.requests.total)) * 1000) / 1000;
  const cpuRows = [
    { route: 'GET /health (public)', ...cpuPerRequest(pub), 'machine busy %': pub.busy },
    { route: 'GET /invoices (guarded)', ...cpuPerRequest(guarded), 'machine busy %': guarded.busy },
  ];

  // the usage trail of the load: one KeyUsed per answered request, sent by example A in batches;
  // waited for until the count stops growing for 3 s (at most 60 s). autocannon's `duration` drops
  // the requests in flight at its end, which example A may still answer and report: up to one per connection.
  const answered = 2 + guardedWarm.result['2xx'] + guarded.result['2xx'];
  const keyUsed = () =>
    withClient(env.DATABASE_URL, async (c) => {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM events WHERE type = 'KeyUsed' AND company_id = $1 AND data->>'keyId' = $2`, [
        company.companyId,
        customer.id,
      ]);
      return rows[0].n;
    });
  const usageStarted = Date.now();
  let stored = await keyUsed();
  for (let stableSince = Date.now(); Date.now() - stableSince < 3_000 && Date.now() - usageStarted < 60_000; ) {
    await new Promise((r) => setTimeout(r, 250));
    const n = await keyUsed();
    if (n !== stored) [stored, stableSince] = [n, Date.now()];
  }
  const usageMs = Date.now() - usageStarted;
  // each of the two guarded autocannon runs may leave up to one answered request per connection uncounted
  const usageComplete = stored >= answered && stored <= answered + 2 * connections;
  /** The example instances' warnings so far (their logs; keys redacted), most frequent first. */
  const exampleWarnings = () => {
    const counts = new Map();
    for (const [name, proc] of [['A', A], ['B', B]]) {
      for (const line of proc.output().split('\n')) {
        const m = /\b(WARN|ERROR)\b.*?\[Keyward\]\s*(.*)$/.exec(line);
        if (!m) continue;
        const what = `example ${name}: ${m[1]} ${m[2].replace(/\d+ record\(s\)/, 'N record(s)')}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
      }
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([what, n]) => `${n} × ${what}`);
  };

  // the reference (after the usage trail settled, so Keyward's ingestion does not run beside it): a bare Nest app (same adapter and versions) doing only what any key guard with a
  // usage trail and rate-limit headers must do, on its own; same connections and duration
  const reference = await startProcess('nest-reference', { NODE_ENV: 'production' });
  processes['Nest reference'] = reference.pid;
  const refPublicUrl = `${reference.url}/health`;
  const refFloorUrl = `${reference.url}/floor`;
  await load(refPublicUrl, warmup);
  await load(refFloorUrl, warmup);
  const refPublic = await load(refPublicUrl, duration);
  const refFloor = await load(refFloorUrl, duration);
  await reference.stop();
  delete processes['Nest reference'];
  const refRatio = Math.round((refFloor.result.requests.average / refPublic.result.requests.average) * 1000) / 1000;
  const refCpu = (run) => Math.round((run.cpu['Nest reference'] / run.result.requests.total) * 1000) / 1000;
  const refRows = [
    { ...loadFigures('reference GET /health (public)', refPublic.result), 'CPU ms/request': refCpu(refPublic) },
    { ...loadFigures('reference GET /floor (least guard)', refFloor.result), 'CPU ms/request': refCpu(refFloor) },
  ];

  // ------------------------------------------------------------ 2. revoke latency with both examples connected
  process.stderr.write(`revoke latency: ${iterations} iterations…\n`);
  const createMs = [];
  const revokeMs = [];
  const violations = [];
  const errors = [];
  for (let i = 0; i < iterations; i++) {
    const created = await call(api.url, 'POST', '/v1/keys', adminKey, { name: `bench revoke ${i}`, permissions: ['invoices:read'] });
    if (created.status !== 201) {
      errors.push(`iteration ${i}: POST /v1/keys → ${created.status} ${created.body?.code ?? ''} (${Math.round(created.ms)} ms)`);
      continue;
    }
    createMs.push(created.ms);
    const { id, key } = created.body;
    for (let w = 0; w < warmCalls; w++) {
      for (const ex of examples) {
        const r = await call(ex.url, 'GET', '/invoices', key);
        if (r.status !== 200) errors.push(`iteration ${i}: warming GET /invoices on example ${ex.name} → ${r.status} ${r.body?.code ?? ''}`);
      }
    }
    const revoked = await call(api.url, 'POST', `/v1/keys/${id}/revoke`, adminKey, {});
    if (revoked.status !== 200) {
      errors.push(`iteration ${i}: POST /v1/keys/${id}/revoke → ${revoked.status} ${revoked.body?.code ?? ''} (${Math.round(revoked.ms)} ms)`);
      continue;
    }
    revokeMs.push(revoked.ms);
    for (const ex of examples) {
      const r = await call(ex.url, 'GET', '/invoices', key);
      if (r.status !== 401) violations.push(`iteration ${i}: key ${id} revoked, GET /invoices on example ${ex.name} → ${r.status} ${r.body?.code ?? ''}`);
    }
    if ((i + 1) % 10 === 0) process.stderr.write(`  ${i + 1}/${iterations}\n`);
  }
  const create = summary(createMs);
  const revoke = summary(revokeMs);

  // ------------------------------------------------------------ output
  process.stdout.write(
    `\nexample service behind @keyward/nestjs — one Keyward API + worker, two example instances (A, B);` +
      ` load on A: ${connections} connections, ${duration} s per route\n\n`,
  );
  printTable(loadRows, Object.keys(loadRows[0]));
  process.stdout.write(
    `\nguarded ÷ public (req/s): ${ratio} (goal ≥ ${GOAL})\n\nCPU ms per request during each run (bench = autocannon in this process; ` +
      `postgres = every backend of the server, also other users'; machine busy = all cores, everything on the machine):\n\n`,
  );
  printTable(cpuRows, Object.keys(cpuRows[0]));
  process.stdout.write(
    `\nexample A's own CPU per request, public ÷ guarded: ${serviceCpuRatio} — the share of the service's throughput the guard leaves ` +
      `when Keyward, its usage ingestion and the load generator do not run on the service's cores (on this machine they do, ` +
      `which the req/s ratio above includes)\n`,
  );
  process.stdout.write(
    `\nreference — a bare NestJS app, same adapter, no Keyward: GET /floor is what any key guard with a usage trail and ` +
      `rate-limit headers does at least (a key object for a parameter decorator, two headers, one close listener keeping the request's use):\n\n`,
  );
  printTable(refRows, Object.keys(refRows[0]));
  process.stdout.write(`\nreference least guard ÷ public (req/s): ${refRatio}; its CPU per request, public ÷ least guard: ${Math.round((refCpu(refPublic) / refCpu(refFloor)) * 1000) / 1000}\n`);
  process.stdout.write(
    `\nusage trail of the customer key: ${stored} KeyUsed events stored for ${answered} 2xx responses (warm-up and run; ` +
      `up to ${2 * connections} more may have been answered after autocannon stopped counting), settled after ${usageMs} ms: ` +
      `${usageComplete ? 'complete' : 'MISMATCH'}\n`,
  );
  const warnings = exampleWarnings();
  if (warnings.length > 0) process.stdout.write(`example services' warnings:\n${warnings.slice(0, 10).map((w) => `  ${w}\n`).join('')}`);
  process.stdout.write(
    `\nrevoke through Keyward with both examples connected — ${iterations} iterations, INSTANCE_LEASE_MS = ${leaseMs}, client timeout ${timeoutMs} ms\n\n`,
  );
  const at = (s, p) => (s.n === 0 ? '-' : s[p]);
  printTable(
    [
      {
        'n create/revoke': `${create.n}/${revoke.n}`,
        'create p50': at(create, 'p50'),
        'create p99': at(create, 'p99'),
        'revoke p50': at(revoke, 'p50'),
        'revoke p95': at(revoke, 'p95'),
        'revoke p99': at(revoke, 'p99'),
        'revoke max': at(revoke, 'max'),
        '> lease': revokeMs.filter((ms) => ms > leaseMs).length,
        violations: violations.length,
        errors: errors.length,
      },
    ],
    ['n create/revoke', 'create p50', 'create p99', 'revoke p50', 'revoke p95', 'revoke p99', 'revoke max', '> lease', 'violations', 'errors'],
  );
  process.stdout.write('(milliseconds, measured by the client until the whole response was read; violations: a revoked key accepted by an example afterwards)\n');
  for (const line of [...violations, ...errors].slice(0, 10)) process.stdout.write(`  ${line}\n`);
  if (violations.length + errors.length > 10) process.stdout.write(`  … ${violations.length + errors.length - 10} more\n`);
  const bad = ['non2xx', 'errors'].reduce((n, k) => n + loadRows[0][k] + loadRows[1][k], 0);
  if (bad > 0) process.stdout.write(`WARNING: ${bad} load responses were not 2xx or failed: the throughput figures are not clean\n`);
  if (ratio < GOAL) process.stdout.write(`NOTE: guarded ÷ public ${ratio} is below the goal of ${GOAL}\n`);

  const json = {
    bench: 'example-guard',
    date: new Date().toISOString(),
    machine: machine(),
    connections,
    durationSeconds: duration,
    public: loadRows[0],
    guarded: loadRows[1],
    ratio,
    goal: GOAL,
    serviceCpuRatio,
    reference: { public: refRows[0], leastGuard: refRows[1], ratio: refRatio },
    cpuMsPerRequest: { public: cpuPerRequest(pub), guarded: cpuPerRequest(guarded) },
    machineBusyPercent: { public: pub.busy, guarded: guarded.busy },
    keywardBodyLimit: bodyLimit ?? 'default',
    usage: { responses2xx: answered, keyUsedStored: stored, complete: usageComplete, settledMs: usageMs, exampleWarnings: warnings.length },
    revoke: { iterations, instanceLeaseMs: leaseMs, clientTimeoutMs: timeoutMs, createMs: create, revokeMs: revoke, violations: violations.length, errors: errors.length },
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  return bad > 0 || !usageComplete || violations.length > 0 || errors.length > 0 ? 1 : 0;
});
