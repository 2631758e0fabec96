// @ts-check
'use strict';
/**
 * What the benchmarks share: a throw-away database and Redis prefix, the built apps (dist/) as
 * real processes, a small HTTP client, percentiles and output. Plain CommonJS, no build step.
 * Key values are never printed: figures, statuses and ids only.
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { Client } = require('pg');
const { Redis } = require('ioredis');

const ROOT = path.resolve(__dirname, '..');
const PEPPER = 'keyward-bench-pepper-not-a-secret-0123456789';

/** An integer from the environment, or the default. */
function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function redactKeys(text) {
  return String(text).replace(/kw_[A-Za-z0-9]+/g, 'kw_…[redacted]');
}

// ---------------------------------------------------------------- clean-up

const cleanups = [];
/** Runs on the way out, last registered first, also on Ctrl-C. */
function onCleanup(fn) {
  cleanups.push(fn);
}
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`clean-up: ${err instanceof Error ? err.message : err}\n`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up\n`);
    void cleanup().then(() => process.exit(130));
  });
}

/** Runs `main`, cleans up whatever happened, sets the exit code. */
function run(main) {
  main()
    .then(
      (code) => (process.exitCode = code ?? 0),
      (err) => {
        process.stderr.write(`${redactKeys(err instanceof Error ? err.stack ?? err.message : err)}\n`);
        process.exitCode = 1;
      },
    )
    .finally(cleanup);
}

// ---------------------------------------------------------------- Postgres and Redis

/**
 * BENCH_DATABASE_URL, used as it is (a fresh company is created in it, nothing is dropped); else a
 * database `keyward_bench_<random>` on the system Postgres (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
 */
async function benchDatabase() {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, throwaway: false };
  const adminUrl = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `keyward_bench_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  onCleanup(() => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), throwaway: true, name };
}

async function withClient(url, work) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * REDIS_URL (default redis://127.0.0.1:6379) and a prefix of its own, whose keys are deleted at the end;
 * or `ownUrl`, a Redis the bench started itself (startBenchRedis), thrown away with its data at the end.
 */
function benchRedis(ownUrl) {
  const url = ownUrl ?? (process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  const prefix = `kwbench:${randomBytes(4).toString('hex')}`;
  if (!ownUrl) onCleanup(() => deleteKeys(url, `${prefix}*`));
  return { url, prefix };
}

async function deleteKeys(url, pattern) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/**
 * The environment every process of one benchmark shares. `options.redisUrl`: a Redis the bench
 * owns (startBenchRedis) instead of REDIS_URL.
 * @param {Record<string, string>} [extra]
 * @param {{ redisUrl?: string }} [options]
 */
async function benchEnv(extra = {}, options = {}) {
  const db = await benchDatabase();
  const redis = benchRedis(options.redisUrl);
  return {
    db,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      KEYWARD_PEPPER: PEPPER,
      ...extra,
    },
  };
}

/**
 * A redis-server of the bench's own (the built `startRedisServer` of libs/embedded, in a temporary
 * directory), for benchmarks that must stop Redis without touching anyone else's: `{ url, pid }`.
 * Resumed if suspended, stopped and its directory removed at clean-up.
 */
async function startBenchRedis() {
  const { startRedisServer } = require(path.join(ROOT, 'dist/libs/embedded/src'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keyward-bench-redis-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startRedisServer({ dataDir });
  onCleanup(() => server.stop());
  const pid = Number(readFileSync(path.join(dataDir, 'redis-server.pid'), 'utf8').trim());
  onCleanup(() => resumeProcess(pid));
  return { url: server.url, pid };
}

// ---------------------------------------------------------------- processes

/** A letter from /proc/<pid>/stat: R running, S sleeping, T stopped, …; undefined if gone (or no /proc). */
function processState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
  } catch {
    return undefined;
  }
}

/**
 * SIGSTOP, resolved once the kernel reports the process stopped (or after 2 s where there is no /proc):
 * it keeps its sockets, answers nothing and accepts connections only into the listen backlog.
 */
async function suspendProcess(pid) {
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + 2_000;
  while (processState(pid) !== 'T' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** SIGCONT; nothing if the process is gone. Safe to call more than once. */
function resumeProcess(pid) {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // already exited
  }
}

/**
 * Pins every thread of a process to one CPU (Linux `taskset`); false when it cannot (no taskset,
 * one CPU). A server on one core and the load generator on another stop taking each other's
 * caches and time slices, which on a small machine moves figures more than most changes do.
 */
function pinToCpu(pid, cpu) {
  if (require('node:os').cpus().length < 2) return false;
  try {
    require('node:child_process').execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system) a process has used so far, in ms; undefined without /proc. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s (USER_HZ)
  } catch {
    return undefined;
  }
}

/** CPU ms so far of each process named `postgres` (every backend of the server, whoever it serves), by pid. */
function postgresCpuMs() {
  const byPid = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(pid, cpuMs(pid) ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

/** CPU ms the postgres processes spent since `before` (a backend that exited meanwhile: its share is not counted). */
function postgresCpuSince(before) {
  let total = 0;
  for (const [pid, ms] of postgresCpuMs()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = f.map(Number);
  const idle = n[3] + n[4];
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

const ENTRY = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  cli: 'dist/apps/cli/src/main.js',
  example: 'dist/apps/example-invoices/src/main.js',
  'nest-reference': 'bench/reference/nest-app.js',
};
/** The HTTP adapter the API runs on (apps/api/src/app.setup.ts): a reference app compared with it uses the same. */
const API_ADAPTER = 'fastify';
/** The public route that says an HTTP process is up; processes without one (the worker) log instead. */
const LIVE_ROUTE = { api: '/health/live', example: '/health', 'nest-reference': '/health' };

function entry(kind) {
  const file = path.join(ROOT, ENTRY[kind]);
  if (!existsSync(file)) throw new Error(`${ENTRY[kind]} is missing: run \`npm run build\` first`);
  return file;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * An API (ready when /health/live answers), the example invoices service (`example`: ready when
 * /health answers; give it KEYWARD_URL and KEYWARD_API_KEY in `env`) or a worker (ready when it
 * logs so); stopped at clean-up.
 */
async function startProcess(kind, env, timeoutMs = 60_000) {
  const liveRoute = LIVE_ROUTE[kind];
  const port = liveRoute ? await freePort() : undefined;
  const url = port === undefined ? undefined : `http://127.0.0.1:${port}`;
  // the process writes its output to a file, as a server's logs go to a file or a collector: read
  // through a pipe, every request line would cost this process (autocannon's) CPU on the same machine
  const logDir = mkdtempSync(path.join(tmpdir(), `keyward-bench-${kind}-`));
  const logFile = path.join(logDir, 'output.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [entry(kind)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', ...env, ...(port ? { PORT: String(port) } : {}) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  onCleanup(() => rmSync(logDir, { recursive: true, force: true }));
  const output = () => readFileSync(logFile, 'utf8');
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  /** SIGTERM, SIGKILL after 10 s; resolves with how it exited (signal 'SIGKILL': it did not stop in time). */
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const how = await exited;
    clearTimeout(timer);
    return how;
  };
  onCleanup(stop);
  const proc = { kind, pid: child.pid, url, stop, exited, output: () => redactKeys(output()) };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${kind} exited during start-up:\n${proc.output().slice(-4000)}`);
    }
    if (Date.now() > deadline) throw new Error(`${kind} not ready after ${timeoutMs} ms:\n${proc.output().slice(-4000)}`);
    if (liveRoute ? await isLive(url + liveRoute) : /worker started/.test(output())) return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function isLive(liveUrl) {
  try {
    const res = await fetch(liveUrl, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Runs the built command line with `--json`, from spawn to exit (start-up included):
 * `{ code, ms, json, stderr }`, json being its last stdout line parsed (null if none).
 */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [entry('cli'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => {
      let json = null;
      try {
        json = JSON.parse(stdout.trim().split('\n').pop());
      } catch {
        json = null;
      }
      resolve({ code, ms: Date.now() - started, json, stderr: redactKeys(stderr) });
    });
  });
}

/** A new company with its admin user and ADMIN key, through the command line (`companies create --json`). */
async function createCompany(env) {
  const { code, json, stderr } = await runCli(['companies', 'create', '--name', 'Bench', '--json'], env);
  if (code !== 0) throw new Error(`keyward companies create exited with ${code}: ${stderr}`);
  if (!json || typeof json.key !== 'string') throw new Error('keyward companies create printed no JSON with a key');
  return json;
}

// ---------------------------------------------------------------- HTTP

/**
 * One request; `ms` is the time until the whole body was read. With `options.timeoutMs`, a response
 * not read completely by then rejects (a TimeoutError), so a hung server cannot stall the bench.
 * @param {{ timeoutMs?: number }} [options]
 */
async function send(baseUrl, method, path, key, body, options = {}) {
  const headers = { 'x-api-key': key };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const signal = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const started = performance.now();
  const res = await fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  const ms = performance.now() - started;
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, ms };
}

/**
 * `send` with a client timeout that never throws: a timeout or a transport error is
 * `{ status: 'timeout' | 'error', body: { code }, ms }`, so a hung server is counted, not a stuck bench.
 */
async function trySend(baseUrl, method, path, key, body, timeoutMs) {
  const started = performance.now();
  try {
    return await send(baseUrl, method, path, key, body, { timeoutMs });
  } catch (err) {
    const ms = Math.round(performance.now() - started);
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { status: timedOut ? 'timeout' : 'error', body: { code: timedOut ? `no response in ${ms} ms` : String(err?.cause?.code ?? err?.message ?? err) }, ms };
  }
}

// ---------------------------------------------------------------- CPU profiles (cpu-profile-hook.js)

/** Waits (at most 10 s) until cpu-profile-hook.js has written `file`. */
async function waitForProfile(file) {
  for (let i = 0; i < 100 && !existsSync(`${file}.done`); i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(`${file}.done`, { force: true });
}

/**
 * A .cpuprofile's busy time split by who caused it: each sample goes to the innermost frame on its
 * stack matching one of `buckets` ([regexp over "function url", name]); frames without a file or in
 * node: count only when nothing else on the stack matches. Per `units` (requests, events, …).
 * @param {[RegExp, string][]} buckets
 */
function cpuProfileShares(file, buckets, units) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const spent = new Map();
  let busy = 0;
  p.samples.forEach((id, i) => {
    const t = p.timeDeltas[i] || 0;
    const leaf = byId.get(id).callFrame.functionName;
    if (leaf === '(idle)') return;
    busy += t;
    let bucket = leaf === '(garbage collector)' ? 'GC' : null;
    let core = null;
    for (let cur = id; cur !== undefined && !bucket; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      const match = buckets.find(([re]) => re.test(`${cf.functionName} ${cf.url}`));
      if (!match) continue;
      if (!cf.url || cf.url.startsWith('node:')) core ??= match[1];
      else bucket = match[1];
    }
    bucket ??= core ?? 'other';
    spent.set(bucket, (spent.get(bucket) || 0) + t);
  });
  return { busyUs: busy, perUnitUs: busy / units, rows: [...spent].sort((a, b) => b[1] - a[1]).map(([k, t]) => ({ k, us: t / units, share: t / busy })) };
}

// ---------------------------------------------------------------- figures and output

/** One table row of an autocannon result. */
function loadFigures(route, r) {
  return {
    route,
    requests: r.requests.total,
    'req/s': Math.round(r.requests.average),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    'max ms': r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * autocannon results of several loads of one route as one (rounds): totals, req/s over their whole
 * time, the worst of their percentiles, errors summed.
 */
function mergedResults(results) {
  const sum = (pick) => results.reduce((n, r) => n + pick(r), 0);
  const worst = (pick) => Math.max(...results.map(pick));
  const total = sum((r) => r.requests.total);
  return {
    requests: { total, average: total / sum((r) => r.duration) },
    latency: { p50: worst((r) => r.latency.p50), p99: worst((r) => r.latency.p99), max: worst((r) => r.latency.max) },
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
  };
}

/** The median of unsorted samples (the mean of the two middle ones for an even count). */
function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of unsorted samples. */
function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(samples) {
  const round = (n) => Math.round(n * 100) / 100;
  return {
    n: samples.length,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    max: round(Math.max(...samples)),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}

function printTable(rows, columns) {
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '-')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  process.stdout.write(`${line(columns)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

function machine() {
  const os = require('node:os');
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadavg: os.loadavg().map((n) => Math.round(n * 100) / 100) };
}

module.exports = {
  API_ADAPTER,
  benchEnv,
  cpuMs,
  cpuProfileShares,
  createCompany,
  envInt,
  loadFigures,
  machine,
  machineJiffies,
  onCleanup,
  median,
  mergedResults,
  percentile,
  pinToCpu,
  postgresCpuMs,
  postgresCpuSince,
  printTable,
  processState,
  resumeProcess,
  redactKeys,
  run,
  runCli,
  withClient,
  send,
  trySend,
  startBenchRedis,
  startProcess,
  summary,
  suspendProcess,
  waitForProfile,
};
