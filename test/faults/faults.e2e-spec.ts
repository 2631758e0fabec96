import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import {
  EmbeddedPostgres,
  RunningServer,
  findFreePort,
  startEmbeddedPostgres,
  startRedisServer,
} from '@keyward/embedded';
import { testConfig } from '@keyward/testing';
import { ProcessKind, RunningProcess, processEnv, redactKeys, runCli, startProcess } from '../support/processes';

/**
 * Fault suite (issue 5): real API and worker processes (dist/, `npm run build` first) against a
 * Postgres and a Redis that this file owns, so it can kill, stop and start them:
 *
 * - an embedded Postgres with a persistent data directory in a temp folder (stopped and started
 *   again on the same port, same data);
 * - a redis-server with AOF on (stopped and started again on the same port and directory).
 *
 * Scenarios (each under real, bounded load; every wait is a bounded poll for a state, never a fixed
 * sleep standing in for an assertion):
 *  1. kill -9 the worker while it projects a burst of key creations, restart it: the read model equals
 *     a rebuild, every KeyCreated has its row, nothing applied twice (row version = stream version).
 *  2. kill -9 an API process while it creates keys: every 201 key exists and works on another
 *     instance; no key exists half-way (events and rows match one to one).
 *  3. stop Redis under load, start it again. Keyward's documented choice: keys keep authenticating
 *     from Postgres while Redis is down; writes answer 503 with Retry-After; queues resume when Redis
 *     is back; no acknowledged event lost (every 2xx write has its event, every authenticated
 *     response eventually has its KeyUsed).
 *  4. stop Postgres under load, start it again: writes answer 503 with Retry-After (never 500, never a
 *     hang), nothing half-applied, recovery without restarting any process.
 *  5. two API and two worker processes: creates, renames and revokes through both; no event projected
 *     twice (row versions, projector checkpoint = last event, read model = rebuild); a revoke through
 *     one API is refused on the other as soon as it returns.
 * Finally: no created key value appears in the raw (unredacted) output of any process.
 *
 * The servers and processes are shared by the scenarios, in order. Whole-log checks (every creation
 * event has its row, versions, checkpoint) run after each scenario on a quiet system; a problem left
 * behind by an earlier scenario is reported once, where it appeared. When the rebuild comparison finds
 * a difference, the live read model is put back afterwards, so the next scenario tests its own fault.
 * At the end the table (fault, requests sent, acknowledged, lost, recovery time) is printed; on a
 * failure the redacted process logs and every problem found are kept in a temp folder (path printed).
 *
 * Keys are secrets even here: they are kept in memory only, replies are described through
 * redactKeys(), and the logs this file writes on failure are redacted.
 */

const DB_NAME = 'keyward_faults_test';
const BURST = 300; // scenario 1
const S2_TOTAL = 200; // scenario 2: creations sent at most
const S2_KILL_AFTER = 60; // scenario 2: acknowledged creations before the kill
const LEASE_MS = 5_000; // INSTANCE_LEASE_MS (the default)
const SHORT_CONSISTENCY_MS = 5_000; // CONSISTENCY_TIMEOUT_MS of the instances used in scenarios 2-5
const POLL_LIMIT_MS = 60_000;
/**
 * A usage job held by a worker that was killed stays "active" until BullMQ's stalled-job check
 * (lockDuration 30 s + stalledInterval 30 s by default) hands it to another worker: up to a minute.
 */
const QUIESCE_LIMIT_MS = 90_000;
/** Pause of each reader loop between two requests (pacing of the load generator). */
const READ_PACING_MS = 40;

/** Settings of every process: limits out of the way of the load, a fast projector tick, short write waits. */
const COMMON_ENV: NodeJS.ProcessEnv = {
  LOG_LEVEL: 'info', // the request logs are what the key-leak check scans
  DEFAULT_RATE_LIMIT: '1000000',
  AUTH_FAILURE_LIMIT: '1000000',
  PROJECTION_TICK_MS: '1000',
  INSTANCE_LEASE_MS: String(LEASE_MS),
  CONSISTENCY_TIMEOUT_MS: String(SHORT_CONSISTENCY_MS),
};

interface FaultRow {
  fault: string;
  sent: number;
  acked: number;
  lost: number;
  recovery: string;
  notes: string[];
}

interface Reply {
  /** HTTP status; 0: no answer (connection refused or reset); -1: no answer within the bound (hang). */
  status: number;
  code?: string;
  retryAfter: string | null;
  body: any;
  startedAt: number;
  endedAt: number;
  error?: string;
}

let runDir: string;
let logDir: string;
let pg: EmbeddedPostgres | undefined;
let pgPort: number;
const pgPassword = randomBytes(16).toString('hex');
let redis: RunningServer | undefined;
let redisPort: number;
let env: NodeJS.ProcessEnv;
let redisPrefix: string;
let pool: Pool;
let admin: { companyId: string; userId: string; keyId: string; key: string };
const procs = new Map<string, RunningProcess>();
/** Labels of processes that have exited, for whatever reason. */
const exitedLabels = new Set<string>();
const rawLogs: { label: string; chunks: Buffer[] }[] = [];
/** id → key value of every key any answer handed out (the bootstrap key included). Never printed. */
const createdKeys = new Map<string, string>();
const table: FaultRow[] = [];
let failed = false;
let passedTests = 0;
/** Every problem found (redacted), written beside the logs when a scenario fails. */
const allProblems: string[] = [];
const TESTS = 6;

// ---------------------------------------------------------------------------------------------
// servers, processes, logs

function capture(label: string): (chunk: Buffer) => void {
  const chunks: Buffer[] = [];
  rawLogs.push({ label, chunks });
  return (chunk) => chunks.push(chunk);
}

async function startPostgres(): Promise<void> {
  const log = capture(`postgres-${rawLogs.length}`);
  pg = await startEmbeddedPostgres({
    dataDir: path.join(runDir, 'pg', 'data'),
    port: pgPort,
    persistent: true,
    password: pgPassword,
    database: DB_NAME,
    onLog: (line) => log(Buffer.from(`${line}\n`)),
  });
}

async function startRedis(): Promise<void> {
  redis = await startRedisServer({ dataDir: path.join(runDir, 'redis'), port: redisPort });
}

async function launch(label: string, kind: ProcessKind, extra: NodeJS.ProcessEnv = {}): Promise<RunningProcess> {
  const started = await startProcess(kind, { ...env, ...extra }, { onRawOutput: capture(label) });
  procs.set(label, started);
  void started.exited.then(() => exitedLabels.add(label));
  return started;
}

function proc(label: string): RunningProcess {
  const p = procs.get(label);
  if (!p) throw new Error(`no process ${label}`);
  return p;
}

/** The command line; its stderr (and, unless it prints a key by design, its stdout) joins the scanned logs. */
async function cli(args: string[], printsKey = false): Promise<any> {
  const result = await runCli([...args, '--json'], env);
  capture(`cli ${args.join(' ')} (stderr)`)(Buffer.from(result.stderr));
  if (!printsKey) capture(`cli ${args.join(' ')} (stdout)`)(Buffer.from(result.stdout));
  if (result.code !== 0) throw new Error(`keyward ${args.join(' ')} exited with ${result.code}: ${redactKeys(result.stderr)}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

/** How much of each output existed when the current scenario began: excerpts show only that scenario's lines. */
const logMarks = new Map<(typeof rawLogs)[number], number>();
beforeEach(() => {
  for (const entry of rawLogs) logMarks.set(entry, entry.chunks.length);
});

/** The last warn/error lines (and non-JSON lines) a process printed, redacted: for failure reports. */
function logExcerpt(labels: string[], lines = 25): string {
  return labels
    .map((label) => {
      const entry = [...rawLogs].reverse().find((l) => l.label === label);
      const text = redactKeys(Buffer.concat(entry?.chunks.slice(logMarks.get(entry) ?? 0) ?? []).toString('utf8'));
      const picked = text
        .split('\n')
        .filter((line) => {
          if (line.trim() === '') return false;
          try {
            return (JSON.parse(line) as { level?: number }).level! >= 40;
          } catch {
            return true;
          }
        })
        .slice(-lines)
        .map((line) => `    | ${line.length > 600 ? `${line.slice(0, 600)}…` : line}`);
      return `  ${label}:\n${picked.join('\n') || '    | (no warn/error lines)'}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// HTTP and SQL

async function http(
  base: string,
  method: string,
  route: string,
  o: { key?: string; body?: unknown; requestId?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  const startedAt = Date.now();
  const headers: Record<string, string> = {};
  if (o.key !== undefined) headers['x-api-key'] = o.key;
  if (o.requestId !== undefined) headers['x-request-id'] = o.requestId;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(base + route, {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 201 && typeof body?.key === 'string' && typeof body?.id === 'string') createdKeys.set(body.id, body.key);
    return { status: res.status, code: body?.code, retryAfter: res.headers.get('retry-after'), body, startedAt, endedAt: Date.now() };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    return {
      status: timedOut ? -1 : 0,
      retryAfter: null,
      body: undefined,
      startedAt,
      endedAt: Date.now(),
      error: timedOut ? 'no answer within the bound' : (e.cause?.code ?? e.cause?.message ?? e.message),
    };
  }
}

function show(r: Reply): string {
  if (r.status <= 0) return `${r.status === 0 ? 'no answer' : 'HANG'} (${r.error}) after ${r.endedAt - r.startedAt} ms`;
  const detail = typeof r.body === 'object' && r.body ? (r.body.detail ?? '') : String(r.body ?? '').slice(0, 200);
  return redactKeys(
    `${r.status}${r.code ? ` ${r.code}` : ''}${r.retryAfter ? ` Retry-After: ${r.retryAfter}` : ''} in ${r.endedAt - r.startedAt} ms${detail ? ` — ${detail}` : ''}`,
  );
}

async function q<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await pool.query(text, params)).rows as T[];
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false; returns it and the time it took. */
async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = POLL_LIMIT_MS, everyMs = 50): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return { value: value as T, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await delay(everyMs);
  }
}

/** The projector's checkpoint and the last event in reader order (transaction id, then position). */
async function projectionState(): Promise<{ checkpoint: string; last: string; head: number }> {
  const [row] = await q<{ cp: string | null; last: string | null; head: string | null }>(`
    SELECT (SELECT transaction_id::text || '/' || position FROM projection_checkpoints WHERE name = 'read-models') AS cp,
           (SELECT transaction_id::text || '/' || position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1) AS last,
           (SELECT max(position) FROM events) AS head`);
  return { checkpoint: row.cp ?? '0/0', last: row.last ?? '0/0', head: Number(row.head ?? 0) };
}

/**
 * Waits until nothing is in flight anywhere: every live API's usage buffer is empty, the usage and
 * projection queues are idle, and the projector's checkpoint is the last event. Returns the head.
 */
async function quiesce(what: string): Promise<number> {
  const apis = [...procs.values()].filter((p) => p.kind === 'api');
  const usage = new Queue('usage', { connection: { url: redis!.url, maxRetriesPerRequest: 1 }, prefix: `${redisPrefix}:bull` });
  usage.on('error', () => undefined);
  try {
    const { value } = await until(`${what}: buffers empty, queues idle, projector at the last event`, async () => {
      for (const api of apis) {
        const metrics = await fetch(`${api.url}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text()).catch(() => '');
        const size = /^keyward_usage_buffer_size\s+(\d+)/m.exec(metrics)?.[1];
        if (size !== '0') return false;
      }
      const counts = await usage.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return false;
      const s = await projectionState();
      return s.checkpoint === s.last ? s.head : false;
    }, QUIESCE_LIMIT_MS, 100);
    return value;
  } finally {
    await usage.close().catch(() => undefined);
  }
}

/**
 * The invariants that must hold whenever the system is quiet:
 * - every KeyCreated / UserCreated / CompanyCreated has its row, and no row lacks its creation event;
 * - every key and user row's version is its stream's last version (nothing applied twice or skipped);
 * - the projector's checkpoint is the last event.
 */
async function invariantViolations(): Promise<string[]> {
  await quiesce('before the invariant checks');
  const out: string[] = [];
  const missing = await q<{ id: string; type: string }>(`
    SELECT e.data->>'keyId' AS id, e.type FROM events e WHERE e.type = 'KeyCreated'
       AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = (e.data->>'keyId')::uuid)
    UNION ALL
    SELECT e.data->>'userId', e.type FROM events e WHERE e.type = 'UserCreated'
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = (e.data->>'userId')::uuid)
    UNION ALL
    SELECT e.data->>'companyId', e.type FROM events e WHERE e.type = 'CompanyCreated'
       AND NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = (e.data->>'companyId')::uuid)`);
  for (const m of missing) out.push(`${m.type} ${m.id} has no read-model row`);
  const orphans = await q<{ id: string; tbl: string }>(`
    SELECT k.id::text, 'api_keys' AS tbl FROM api_keys k
     WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'key-' || k.id::text AND e.type = 'KeyCreated')
    UNION ALL
    SELECT u.id::text, 'users' FROM users u
     WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'user-' || u.id::text AND e.type = 'UserCreated')
    UNION ALL
    SELECT c.id::text, 'companies' FROM companies c
     WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'company-' || c.id::text AND e.type = 'CompanyCreated')`);
  for (const o of orphans) out.push(`${o.tbl} row ${o.id} has no creation event`);
  const versions = await q<{ id: string; tbl: string; version: number; stream: number }>(`
    WITH s AS (SELECT stream_id, max(stream_version) AS v FROM events GROUP BY stream_id)
    SELECT k.id::text, 'api_keys' AS tbl, k.version, s.v AS stream FROM api_keys k JOIN s ON s.stream_id = 'key-' || k.id::text
     WHERE k.version <> s.v
    UNION ALL
    SELECT u.id::text, 'users', u.version, s.v FROM users u JOIN s ON s.stream_id = 'user-' || u.id::text WHERE u.version <> s.v`);
  for (const v of versions) out.push(`${v.tbl} row ${v.id}: version ${v.version}, its stream is at ${v.stream}`);
  const streams = await q<{ stream_id: string; version: number; v: number }>(`
    SELECT st.stream_id, st.version, e.v FROM streams st
      JOIN (SELECT stream_id, max(stream_version) AS v, count(*) AS n FROM events GROUP BY stream_id) e USING (stream_id)
     WHERE st.version <> e.v OR e.n <> e.v`);
  for (const s of streams) out.push(`stream ${s.stream_id}: streams.version ${s.version}, events up to ${s.v} (gaps or mismatch)`);
  const state = await projectionState();
  if (state.checkpoint !== state.last) out.push(`projector checkpoint ${state.checkpoint} is not the last event ${state.last}`);
  return out;
}

const READ_MODELS = ['companies', 'users', 'api_keys'];
/** The projector's advisory lock (libs/event-store PROJECTOR_LOCK): held while the test restores a read model. */
const PROJECTOR_LOCK = 7_301_944_003;

async function snapshot(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of READ_MODELS) {
    out[t] = (await q<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${t} t ORDER BY id`)).map((r) => r.row);
  }
  return out;
}

/**
 * The live read model against `keyward projections rebuild`: snapshot, rebuild, snapshot, equal.
 * Run on a quiet system; if an event slipped in meanwhile, start over (bounded).
 */
async function rebuildDifferences(what: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const head = await quiesce(what);
    const before = await snapshot();
    const [checkpoint] = await q<{ transaction_id: string; position: string }>(
      `SELECT transaction_id::text AS transaction_id, position FROM projection_checkpoints WHERE name = 'read-models'`,
    );
    const run = await cli(['projections', 'rebuild']);
    const after = await snapshot();
    if ((await projectionState()).head !== head) {
      if (attempt < 3) continue;
      return [`the log kept moving during the rebuild comparison (head ${head})`];
    }
    const out: string[] = [];
    if (run.checkpoint?.position !== head) out.push(`rebuild stopped at position ${run.checkpoint?.position}, the head is ${head}`);
    for (const t of READ_MODELS) {
      const a = new Set(before[t]);
      const b = new Set(after[t]);
      const onlyLive = before[t].filter((r) => !b.has(r));
      const onlyRebuilt = after[t].filter((r) => !a.has(r));
      if (before[t].length !== after[t].length) out.push(`${t}: ${before[t].length} live rows, ${after[t].length} rebuilt rows`);
      for (const r of onlyLive.slice(0, 3)) out.push(`${t}: live row not produced by the rebuild: ${redactKeys(r)}`);
      for (const r of onlyRebuilt.slice(0, 3)) out.push(`${t}: rebuilt row differs from the live one: ${redactKeys(r)}`);
    }
    if (out.length > 0) {
      // the rebuild produced something else: put the live read model back, so that the scenarios
      // after this one test their own fault rather than this defect's consequences
      await restoreReadModel(before, checkpoint);
      out.push('(the live read model was restored after this comparison)');
    }
    return out;
  }
}

/** Puts back a snapshot of the read models and the projector's checkpoint, under the projector's lock. */
async function restoreReadModel(rows: Record<string, string[]>, checkpoint: { transaction_id: string; position: string }): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [PROJECTOR_LOCK]);
    await client.query(`TRUNCATE ${READ_MODELS.join(', ')}`);
    for (const t of READ_MODELS) {
      await client.query(`INSERT INTO ${t} SELECT * FROM jsonb_populate_recordset(NULL::${t}, $1::jsonb)`, [`[${rows[t].join(',')}]`]);
    }
    await client.query(`UPDATE projection_checkpoints SET transaction_id = $1::text::xid8, position = $2 WHERE name = 'read-models'`, [
      checkpoint.transaction_id,
      checkpoint.position,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Ids (request ids) of `ids` that have no KeyUsed event; polled until all arrive or the bound passes. */
async function missingKeyUsed(ids: string[], timeoutMs = POLL_LIMIT_MS): Promise<string[]> {
  if (ids.length === 0) return [];
  let missing: string[] = ids;
  await until(
    'every authenticated request has its KeyUsed',
    async () => {
      const found = new Set(
        (await q<{ id: string }>(`SELECT data->>'requestId' AS id FROM events WHERE type = 'KeyUsed' AND data->>'requestId' = ANY($1)`, [missing])).map(
          (r) => r.id,
        ),
      );
      missing = missing.filter((id) => !found.has(id));
      return missing.length === 0;
    },
    timeoutMs,
    250,
  ).catch(() => undefined);
  return missing;
}

/** Created keys (201) that are missing from the log or the read model, or that do not authenticate on `verifier`. */
async function lostKeys(ids: string[], verifier: RunningProcess): Promise<string[]> {
  const out: string[] = [];
  const events = new Set((await q<{ id: string }>(`SELECT data->>'keyId' AS id FROM events WHERE type = 'KeyCreated' AND data->>'keyId' = ANY($1)`, [ids])).map((r) => r.id));
  const rows = new Set((await q<{ id: string }>(`SELECT id::text FROM api_keys WHERE id = ANY($1::uuid[])`, [ids])).map((r) => r.id));
  const checks = await mapLimit(ids, 16, async (id) => {
    if (!events.has(id)) return `key ${id}: acknowledged (201) but no KeyCreated event`;
    if (!rows.has(id)) return `key ${id}: acknowledged (201) but no api_keys row`;
    const me = await http(verifier.url!, 'GET', '/v1/me', { key: createdKeys.get(id)!, timeoutMs: 10_000 });
    if (me.status !== 200 || me.body?.keyId !== id) return `key ${id}: acknowledged (201) but GET /v1/me on another instance → ${show(me)}`;
    return undefined;
  });
  for (const c of checks) if (c) out.push(c);
  return out;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i], i);
    }),
  );
  return out;
}

const reported = new Set<string>();
/** Whole-log problems not reported by an earlier scenario: a defect left behind is counted where it happened. */
function fresh(problems: string[]): string[] {
  const out = problems.filter((p) => !reported.has(p));
  for (const p of problems) reported.add(p);
  return out;
}

function fail(what: string, problems: string[], logs: string[]): never {
  failed = true;
  allProblems.push(`# ${what}`, ...problems.map(redactKeys));
  const shown = problems.slice(0, 15).map((p) => `  - ${redactKeys(p)}`);
  if (problems.length > 15) shown.push(`  … and ${problems.length - 15} more`);
  throw new Error(`${what}:\n${shown.join('\n')}\nprocess logs (warn/error, redacted):\n${logExcerpt(logs)}\nfull redacted logs: ${logDir}`);
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms} ms`;
}

// ---------------------------------------------------------------------------------------------
// load

interface LoadRecord {
  kind: 'read' | 'write';
  requestId: string;
  reply: Reply;
  keyId?: string;
}

/**
 * Readers (GET /v1/me with warm keys, alternating instances) and writers (POST /v1/keys) in loops
 * until stopped. Every request carries its own X-Request-Id, so its KeyUsed can be found.
 */
function startLoad(o: { tag: string; readers: number; writers: number; apis: RunningProcess[]; readKeys: string[]; writeTimeoutMs: number }) {
  const records: LoadRecord[] = [];
  let stopped = false;
  let n = 0;
  const loops: Promise<void>[] = [];
  for (let r = 0; r < o.readers; r++) {
    loops.push(
      (async () => {
        for (let i = r; !stopped; i += o.readers) {
          const requestId = `${o.tag}-r-${++n}`;
          const api = o.apis[i % o.apis.length];
          const reply = await http(api.url!, 'GET', '/v1/me', { key: o.readKeys[i % o.readKeys.length], requestId, timeoutMs: 20_000 });
          records.push({ kind: 'read', requestId, reply });
          await delay(READ_PACING_MS); // load, not a wait for anything: keeps the request count in the hundreds
        }
      })(),
    );
  }
  for (let w = 0; w < o.writers; w++) {
    loops.push(
      (async () => {
        for (let i = w; !stopped; i += o.writers) {
          const requestId = `${o.tag}-w-${++n}`;
          const api = o.apis[i % o.apis.length];
          const reply = await http(api.url!, 'POST', '/v1/keys', {
            key: admin.key,
            body: { name: requestId, role: 'READONLY' },
            requestId,
            timeoutMs: o.writeTimeoutMs,
          });
          records.push({ kind: 'write', requestId, reply, keyId: reply.status === 201 ? reply.body.id : undefined });
          if (reply.status !== 201) await delay(50);
        }
      })(),
    );
  }
  return {
    records,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  runDir = await mkdtemp(path.join(tmpdir(), 'keyward-faults-'));
  logDir = path.join(runDir, 'logs');
  [pgPort, redisPort] = [await findFreePort(), await findFreePort()];
  await Promise.all([startPostgres(), startRedis()]);
  const config = testConfig({ DATABASE_URL: pg!.url, REDIS_URL: redis!.url });
  redisPrefix = config.redisPrefix;
  env = processEnv(config, COMMON_ENV);
  pool = new Pool({ connectionString: pg!.url, max: 3, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined); // Postgres is stopped on purpose in scenario 4
  admin = await cli(['bootstrap'], true); // migrates, then prints the first key (stdout kept out of the scanned logs)
  createdKeys.set(admin.keyId, admin.key);
  // A waits long for the projector (scenario 1: the worker is down for a while); B, like every
  // instance started later, answers 503 PROJECTION_PENDING after SHORT_CONSISTENCY_MS.
  await Promise.all([
    // small batches for the worker killed in scenario 1: a burst takes many projector transactions,
    // so the kill lands inside one; every other process projects with the default batch size
    launch('worker-1', 'worker', { PROJECTION_BATCH_SIZE: '10' }),
    launch('api-A', 'api', { CONSISTENCY_TIMEOUT_MS: '90000' }),
    launch('api-B', 'api'),
  ]);
}, 180_000);

afterAll(async () => {
  if (table.length > 0) {
    const head = ['fault', 'requests sent', 'acknowledged', 'lost', 'recovery time'];
    const rows = table.map((r) => [r.fault, String(r.sent), String(r.acked), String(r.lost), r.recovery]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    const notes = table.flatMap((r) => r.notes.map((n) => `  ${r.fault}: ${n}`));
    const legend =
      'requests sent: every HTTP request of the scenario; acknowledged: 2xx answers; lost: acknowledged requests whose effect ' +
      'is missing afterwards (a write without its event or row, a created key that does not authenticate, an authenticated ' +
      'request without its KeyUsed); recovery time: see each row';
    console.log(
      ['Fault table', line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line), legend, '', 'Notes:', ...notes].join('\n'),
    );
  }
  await Promise.all([...procs.values()].map((p) => p.stop()));
  await pool?.end().catch(() => undefined);
  await redis?.stop();
  await pg?.stop();
  if ((failed || passedTests < TESTS) && runDir) {
    // keep redacted logs for the post-mortem; the servers' data goes
    await mkdir(logDir, { recursive: true });
    for (const [i, l] of rawLogs.entries()) {
      await writeFile(path.join(logDir, `${String(i).padStart(2, '0')}-${l.label.replace(/[^A-Za-z0-9_-]+/g, '_')}.log`), redactKeys(Buffer.concat(l.chunks).toString('utf8')));
    }
    await writeFile(path.join(logDir, 'problems.txt'), `${allProblems.join('\n')}\n`);
    if (!process.env.KEYWARD_FAULTS_KEEP_DATA) {
      await rm(path.join(runDir, 'pg'), { recursive: true, force: true });
      await rm(path.join(runDir, 'redis'), { recursive: true, force: true });
    }
    console.log(`redacted process logs kept in ${logDir}`);
  } else if (runDir) {
    await rm(runDir, { recursive: true, force: true });
  }
}, 120_000);

describe('fault suite (dedicated Postgres and Redis, real processes)', () => {
  it('1. kill -9 the worker in the middle of projecting a burst; restart it: read model = rebuild, nothing twice, nothing missing', async () => {
    const row: FaultRow = { fault: '1 worker kill -9 mid-projection', sent: 0, acked: 0, lost: 0, recovery: '', notes: [] };
    table.push(row);
    const A = proc('api-A');
    const tag = 'burst';
    const projected = async () =>
      (await q<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys WHERE name LIKE $1`, [`${tag}-%`]))[0].n;
    const appended = async () =>
      (await q<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'KeyCreated' AND data->>'name' LIKE $1`, [`${tag}-%`]))[0].n;

    const replies = Array.from({ length: BURST }, (_, i) =>
      http(A.url!, 'POST', '/v1/keys', { key: admin.key, body: { name: `${tag}-${i}`, role: 'READONLY' }, requestId: `${tag}-${i}`, timeoutMs: 120_000 }),
    );
    row.sent = BURST;

    // kill once a fifth of the burst is projected: the rest is still being projected (every 201 waits for it)
    await until('a fifth of the burst projected', async () => (await projected()) >= BURST / 5, POLL_LIMIT_MS, 5);
    proc('worker-1').kill('SIGKILL');
    const killedAt = Date.now();
    await proc('worker-1').exited;
    procs.delete('worker-1');
    const [projectedAtKill, appendedAtKill] = [await projected(), await appended()];
    row.notes.push(`killed with ${projectedAtKill}/${BURST} of the burst projected, ${appendedAtKill} appended`);
    expect(projectedAtKill).toBeLessThan(BURST); // the kill did interrupt the projection of the burst

    const restartedAt = Date.now();
    await launch('worker-1b', 'worker');
    const workerUpMs = Date.now() - restartedAt;
    const answers = await Promise.all(replies);
    const doneAt = Math.max(...answers.map((r) => r.endedAt));
    row.recovery = `${fmtMs(doneAt - killedAt)} kill→all answered`;
    row.notes.push(`worker restart took ${fmtMs(workerUpMs)}; last 201 ${fmtMs(doneAt - restartedAt)} after the restart began`);

    const problems: string[] = [];
    for (const r of answers) if (r.status !== 201) problems.push(`POST /v1/keys → ${show(r)} (expected 201: CONSISTENCY_TIMEOUT_MS is 90 s)`);
    const ids = answers.filter((r) => r.status === 201).map((r) => r.body.id as string);
    row.acked = ids.length;
    if (ids.length < BURST) row.notes.push(`answers other than 201: ${JSON.stringify(countBy(answers.filter((r) => r.status !== 201).map(statusCode)))}`);
    const lost = await lostKeys(ids, proc('api-B'));
    // the API was not killed: every answered request's usage reaches the log, even the batch the dead worker held
    const usageFrom = Date.now();
    const noUsage = await missingKeyUsed(answers.map((_, i) => `${tag}-${i}`), QUIESCE_LIMIT_MS);
    for (const id of noUsage) lost.push(`${id}: answered, no KeyUsed event`);
    row.notes.push(
      noUsage.length === 0
        ? `KeyUsed of all ${BURST} requests in the log ${fmtMs(Date.now() - killedAt)} after the kill (polled ${fmtMs(Date.now() - usageFrom)} ` +
            "after the keys were checked; a usage batch held by the dead worker waits for BullMQ's stalled-job check)"
        : `${noUsage.length} of ${BURST} requests still without KeyUsed ${fmtMs(Date.now() - killedAt)} after the kill`,
    );
    row.lost = lost.length;
    problems.push(...lost);
    problems.push(...fresh(await invariantViolations()));
    if ((await appended()) !== BURST) problems.push(`${await appended()} KeyCreated events for ${BURST} requests`);
    problems.push(...(await rebuildDifferences('before the rebuild comparison')));
    if (problems.length > 0) fail('scenario 1 (worker kill -9)', problems, ['worker-1', 'worker-1b', 'api-A']);
    passedTests++;
  }, 200_000);

  it('2. kill -9 an API process while it creates keys: every 201 key exists and works elsewhere; none half-way', async () => {
    const row: FaultRow = { fault: '2 API kill -9 under create load', sent: 0, acked: 0, lost: 0, recovery: '', notes: [] };
    table.push(row);
    const A = proc('api-A');
    const B = proc('api-B');
    const tag = 'apikill';
    const answers: Reply[] = [];
    let issued = 0;
    let killedAt = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (killedAt === 0 && issued < S2_TOTAL) {
          const i = issued++;
          const r = await http(A.url!, 'POST', '/v1/keys', { key: admin.key, body: { name: `${tag}-${i}`, role: 'READONLY' }, timeoutMs: 30_000 });
          answers.push(r);
          if (killedAt === 0 && answers.filter((a) => a.status === 201).length >= S2_KILL_AFTER) {
            A.kill('SIGKILL');
            killedAt = Date.now();
          }
        }
      }),
    );
    await A.exited;
    procs.delete('api-A');
    row.sent = issued;
    const ids = answers.filter((r) => r.status === 201).map((r) => r.body.id as string);
    row.acked = ids.length;
    const unanswered = answers.filter((r) => r.status !== 201);
    const problems: string[] = [];
    for (const r of unanswered) {
      if (r.status > 0 && r.endedAt < killedAt) problems.push(`POST /v1/keys before the kill → ${show(r)}`);
      if (r.status === -1) problems.push(`POST /v1/keys → ${show(r)}`);
    }

    // restart the instance; recovery: kill → first 201 from the new process
    const restartedAt = Date.now();
    const A2 = await launch('api-A2', 'api');
    const first = await until('a write succeeds on the restarted instance', async () => {
      const r = await http(A2.url!, 'POST', '/v1/keys', { key: admin.key, body: { name: `${tag}-after`, role: 'READONLY' } });
      return r.status === 201 ? r : false;
    });
    row.recovery = `${fmtMs(first.value.endedAt - killedAt)} kill→201 on a new process`;
    row.notes.push(`API restart took ${fmtMs(first.value.endedAt - restartedAt)} to the first 201`);

    await quiesce('after the API kill');
    const lost = await lostKeys(ids, B);
    row.lost = lost.length;
    problems.push(...lost);
    const events = await q<{ id: string; name: string }>(`SELECT data->>'keyId' AS id, data->>'name' AS name FROM events WHERE type = 'KeyCreated' AND data->>'name' LIKE $1`, [`${tag}-%`]);
    const rows = await q<{ id: string; status: string }>(`SELECT id::text, status FROM api_keys WHERE name LIKE $1`, [`${tag}-%`]);
    const rowIds = new Set(rows.map((r) => r.id));
    const eventIds = new Set(events.map((e) => e.id));
    for (const e of eventIds) if (!rowIds.has(e)) problems.push(`KeyCreated ${e} has no row (half-way)`);
    for (const r of rowIds) if (!eventIds.has(r)) problems.push(`row ${r} has no KeyCreated (half-way)`);
    for (const r of rows) if (r.status !== 'active') problems.push(`row ${r.id} is ${r.status}`);
    const answered = new Set(ids);
    const committedUnanswered = events.filter((e) => /^apikill-\d+$/.test(e.name) && !answered.has(e.id)).length;
    row.notes.push(
      `${answers.length - ids.length} requests lost their answer with the process; ${committedUnanswered} of them had committed ` +
        '(complete, active keys whose value nobody received — the caller retries and gets a new key)',
    );
    problems.push(...fresh(await invariantViolations()));
    if (problems.length > 0) fail('scenario 2 (API kill -9)', problems, ['api-A', 'api-A2', 'api-B', 'worker-1b']);
    passedTests++;
  }, 120_000);

  it('3. stop Redis under load, start it again: keys keep authenticating from Postgres, writes 503 + Retry-After, queues recover, nothing acknowledged lost', async () => {
    const row: FaultRow = { fault: '3 Redis stop/start under load', sent: 0, acked: 0, lost: 0, recovery: '', notes: [] };
    table.push(row);
    const apis = [proc('api-A2'), proc('api-B')];
    const readKeys = await warmKeys('s3-reader', 4, apis);
    const load = startLoad({ tag: 's3', readers: 4, writers: 2, apis, readKeys, writeTimeoutMs: SHORT_CONSISTENCY_MS + 15_000 });
    const { records } = load;
    const problems: string[] = [];
    let stopBegan = 0;
    let stoppedAt = 0;
    let backAt = 0;
    try {
      await until('traffic flows before the outage', () => ok(records, 'read') >= 20 && ok(records, 'write') >= 2, 30_000);
      stopBegan = Date.now();
      await redis!.stop();
      stoppedAt = Date.now();
      row.notes.push(`redis-server SHUTDOWN took ${fmtMs(stoppedAt - stopBegan)}`);
      // the outage lasts past one lease, so the instances' caches are bypassed and keys are checked in Postgres
      await until(
        'traffic observed during the outage, beyond one lease',
        () =>
          Date.now() - stoppedAt > LEASE_MS + 1_500 &&
          records.filter((r) => r.kind === 'write' && r.reply.startedAt >= stoppedAt).length >= 2 &&
          records.filter((r) => r.kind === 'read' && r.reply.startedAt >= stoppedAt + LEASE_MS).length >= 8,
        60_000,
      );
      await startRedis();
      backAt = Date.now();
      row.notes.push(`outage ${fmtMs(backAt - stoppedAt)}`);
      const firstWrite = await until('a write succeeds after Redis is back', () =>
        records.find((r) => r.kind === 'write' && r.reply.startedAt >= backAt && r.reply.status === 201),
      );
      row.recovery = `${fmtMs(firstWrite.value.reply.endedAt - backAt)} Redis up→first 201`;
      await until('reads after the outage', () => records.filter((r) => r.kind === 'read' && r.reply.startedAt >= backAt).length >= 20, 30_000);
    } finally {
      await load.stop();
    }

    const phase = (r: Reply) => (r.endedAt < stopBegan ? 'before' : r.startedAt >= backAt ? 'after' : 'outage');
    const BOUND_MS = SHORT_CONSISTENCY_MS + 5_000; // a write waits for the projector at most CONSISTENCY_TIMEOUT_MS, plus Redis' 2 s enqueue bound
    const stats = { before: [0, 0], outage: [0, 0], after: [0, 0] } as Record<string, number[]>;
    for (const { kind, reply } of records) {
      const p = phase(reply);
      stats[p][kind === 'read' ? 0 : 1]++;
      if (kind === 'read' && reply.status !== 200) problems.push(`GET /v1/me (${p}) → ${show(reply)}; expected 200 (keys authenticate from Postgres without Redis)`);
      if (reply.endedAt - reply.startedAt > BOUND_MS) problems.push(`${kind} (${p}) → ${show(reply)}: slower than ${BOUND_MS} ms`);
      if (kind === 'write') {
        const good = reply.status === 201 || (reply.status === 503 && reply.retryAfter !== null);
        if (!good) problems.push(`POST /v1/keys (${p}) → ${show(reply)}; expected 201, or 503 with Retry-After`);
        if (p === 'before' && reply.status !== 201) problems.push(`POST /v1/keys before the outage → ${show(reply)}`);
      }
    }
    const writes = records.filter((r) => r.kind === 'write');
    const codes = countBy(writes.filter((r) => phase(r.reply) === 'outage').map((r) => `${r.reply.status}${r.reply.code ? ` ${r.reply.code}` : ''}`));
    const readMs = records.filter((r) => r.kind === 'read' && phase(r.reply) === 'outage').map((r) => r.reply.endedAt - r.reply.startedAt);
    row.notes.push(
      `requests (reads/writes): before ${stats.before.join('/')}, during ${stats.outage.join('/')}, after ${stats.after.join('/')}; ` +
        `writes during the outage: ${JSON.stringify(codes)}; latency of reads during the outage: ${latency(readMs)}`,
    );
    row.sent = records.length;

    const acked = records.filter((r) => r.reply.status >= 200 && r.reply.status < 300);
    row.acked = acked.length;
    await quiesce('after the Redis outage');
    const writeIds = writes.filter((r) => r.keyId).map((r) => r.keyId!);
    const lost = await lostKeys(writeIds, apis[1]);
    const authenticated = records.filter((r) => r.reply.status >= 200 && r.reply.status < 300).map((r) => r.requestId);
    const noUsage = await missingKeyUsed(authenticated);
    for (const id of noUsage) lost.push(`${id}: answered 2xx, no KeyUsed event`);
    row.lost = lost.length;
    problems.push(...lost);
    // writes answered 503 during the outage: recorded and applied later, or not recorded at all — never half
    const pendingNames = writes.filter((r) => r.reply.status === 503).map((r) => r.requestId);
    const committed = await q<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'KeyCreated' AND data->>'name' = ANY($1)`, [pendingNames]);
    row.notes.push(`${pendingNames.length} writes answered 503, ${committed[0].n} of them had been recorded and took effect once Redis was back`);
    row.notes.push(`usage (KeyUsed) of ${authenticated.length} authenticated requests: ${authenticated.length - noUsage.length} recorded`);
    problems.push(...fresh(await invariantViolations()));
    problems.push(...(await rebuildDifferences('after the Redis outage')));
    if (problems.length > 0) fail('scenario 3 (Redis stop/start)', problems, ['api-A2', 'api-B', 'worker-1b']);
    passedTests++;
  }, 180_000);

  it('4. stop Postgres under load, start it again: 503 + Retry-After (never 500 or a hang), nothing half-applied, recovery without restarts', async () => {
    const row: FaultRow = { fault: '4 Postgres stop/start under load', sent: 0, acked: 0, lost: 0, recovery: '', notes: [] };
    table.push(row);
    const apis = [proc('api-A2'), proc('api-B')];
    const pids = new Map([...procs].map(([label, p]) => [label, p.pid]));
    const readKeys = await warmKeys('s4-reader', 4, apis);
    const load = startLoad({ tag: 's4', readers: 4, writers: 2, apis, readKeys, writeTimeoutMs: 30_000 });
    const { records } = load;
    let stopBegan = 0;
    let stoppedAt = 0;
    let backAt = 0;
    try {
      await until('traffic flows before the outage', () => ok(records, 'read') >= 20 && ok(records, 'write') >= 2, 30_000);
      stopBegan = Date.now();
      await pg!.stop();
      stoppedAt = Date.now();
      row.notes.push(`Postgres fast shutdown took ${fmtMs(stoppedAt - stopBegan)}`);
      await until(
        'traffic observed during the outage',
        () =>
          Date.now() - stoppedAt > 2_000 &&
          records.filter((r) => r.kind === 'write' && r.reply.startedAt >= stoppedAt).length >= 4 &&
          records.filter((r) => r.kind === 'read' && r.reply.startedAt >= stoppedAt).length >= 20,
        60_000,
      );
      await startPostgres();
      backAt = Date.now();
      row.notes.push(`outage ${fmtMs(backAt - stoppedAt)}`);
      const firstWrite = await until('a write succeeds after Postgres is back', () =>
        records.find((r) => r.kind === 'write' && r.reply.startedAt >= backAt && r.reply.status === 201),
      );
      row.recovery = `${fmtMs(firstWrite.value.reply.endedAt - backAt)} Postgres up→first 201`;
      await until('reads after the outage', () => records.filter((r) => r.kind === 'read' && r.reply.startedAt >= backAt && r.reply.status === 200).length >= 20, 30_000);
    } finally {
      await load.stop();
    }

    const problems: string[] = [];
    const phase = (r: Reply) => (r.endedAt < stopBegan ? 'before' : r.startedAt >= backAt ? 'after' : 'outage');
    const BOUND_MS = 20_000;
    for (const { kind, reply } of records) {
      const p = phase(reply);
      const what = `${kind === 'read' ? 'GET /v1/me' : 'POST /v1/keys'} (${p}) → ${show(reply)}`;
      if (reply.endedAt - reply.startedAt > BOUND_MS || reply.status === -1) problems.push(`${what}: slower than ${BOUND_MS} ms`);
      if (reply.status === 503 && reply.retryAfter === null) problems.push(`${what}: 503 without Retry-After`);
      const allowed = kind === 'read' ? [200, 503] : [201, 503];
      if (!allowed.includes(reply.status)) problems.push(`${what}: expected ${allowed.join(' or ')}`);
      if (p === 'before' && reply.status >= 300) problems.push(`${what} before the outage`);
      if (kind === 'write' && reply.startedAt >= stopBegan && reply.status === 201 && reply.endedAt < backAt) {
        problems.push(`${what}: a write acknowledged while Postgres was down`);
      }
    }
    for (const [label, pid] of pids) {
      const p = procs.get(label);
      if (!p || p.pid !== pid || exitedLabels.has(label)) problems.push(`${label} exited or was replaced during the outage`);
    }
    const outage = records.filter((r) => phase(r.reply) === 'outage');
    row.notes.push(
      `during the outage: reads ${JSON.stringify(countBy(outage.filter((r) => r.kind === 'read').map((r) => statusCode(r.reply))))}, ` +
        `writes ${JSON.stringify(countBy(outage.filter((r) => r.kind === 'write').map((r) => statusCode(r.reply))))}, ` +
        `latency during the outage: ${latency(outage.map((r) => r.reply.endedAt - r.reply.startedAt))}`,
    );
    row.notes.push('no process restarted (same pids before and after)');
    row.sent = records.length;
    row.acked = records.filter((r) => r.reply.status >= 200 && r.reply.status < 300).length;

    await quiesce('after the Postgres outage');
    const writes = records.filter((r) => r.kind === 'write');
    const lost = await lostKeys(writes.filter((r) => r.keyId).map((r) => r.keyId!), apis[1]);
    const authenticated = records.filter((r) => r.reply.status >= 200 && r.reply.status < 300).map((r) => r.requestId);
    const noUsage = await missingKeyUsed(authenticated);
    for (const id of noUsage) lost.push(`${id}: answered 2xx, no KeyUsed event`);
    row.lost = lost.length;
    problems.push(...lost);
    const failedNames = writes.filter((r) => r.reply.status !== 201).map((r) => r.requestId);
    const committed = await q<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'KeyCreated' AND data->>'name' = ANY($1)`, [failedNames]);
    row.notes.push(
      `${failedNames.length} writes not acknowledged (${JSON.stringify(countBy(writes.filter((r) => r.reply.status !== 201).map((r) => statusCode(r.reply))))}); ` +
        `${committed[0].n} of them had been recorded (and are complete keys now)`,
    );
    problems.push(...fresh(await invariantViolations()));
    problems.push(...(await rebuildDifferences('after the Postgres outage')));
    if (problems.length > 0) fail('scenario 4 (Postgres stop/start)', problems, ['api-A2', 'api-B', 'worker-1b']);
    passedTests++;
  }, 180_000);

  it('5. two APIs and two workers: creates, renames and revokes through both; nothing projected twice; revocation holds on both', async () => {
    const row: FaultRow = { fault: '5 two APIs + two workers', sent: 0, acked: 0, lost: 0, recovery: '—', notes: [] };
    table.push(row);
    await launch('worker-2', 'worker');
    const X = proc('api-A2');
    const Y = proc('api-B');
    const name = (p: RunningProcess) => (p === X ? 'A' : 'B');
    const problems: string[] = [];
    const replies: Reply[] = [];
    const send = async (p: RunningProcess, method: string, route: string, key: string, body?: unknown) => {
      const r = await http(p.url!, method, route, { key, body, timeoutMs: 30_000 });
      replies.push(r);
      if (r.status >= 500 || r.status <= 0) problems.push(`${method} ${route} on ${name(p)} → ${show(r)}`);
      return r;
    };
    // background readers on both instances while the writes run
    let stopped = false;
    const background = Array.from({ length: 2 }, (_, i) =>
      (async () => {
        for (let n = 0; !stopped; n++) {
          await send(n % 2 === i ? X : Y, 'GET', '/v1/me', admin.key);
          await delay(READ_PACING_MS);
        }
      })(),
    );

    const N = 36;
    const created = await mapLimit(Array.from({ length: N }, (_, i) => i), 6, async (i) => {
      const via = i % 2 === 0 ? X : Y;
      const r = await send(via, 'POST', '/v1/keys', admin.key, { name: `two-${i}`, role: 'READONLY' });
      if (r.status !== 201) problems.push(`POST /v1/keys on ${name(via)} → ${show(r)}`);
      return r.status === 201 ? { id: r.body.id as string, key: r.body.key as string } : undefined;
    });
    const expected = new Map<string, { name: string; status: 'active' | 'revoked' }>();
    const acked: { what: string; id: string; type: string }[] = [];
    for (const [i, c] of created.entries()) {
      if (!c) continue;
      acked.push({ what: 'create', id: c.id, type: 'KeyCreated' });
      expected.set(c.id, { name: `two-${i}`, status: 'active' });
    }
    const meStatus = async (p: RunningProcess, key: string) => (await send(p, 'GET', '/v1/me', key)).status;
    let revocationChecks = 0;

    await mapLimit([...created.entries()], 6, async ([i, c]) => {
      if (!c) return;
      const [P, Q] = i % 2 === 0 ? [X, Y] : [Y, X];
      for (const p of [P, Q, P, Q]) if ((await meStatus(p, c.key)) !== 200) problems.push(`key ${c.id} not accepted on ${name(p)} before any change`);
      const kind = i % 3;
      if (kind === 0) {
        // rename through both, then revoke through P: refused on Q (and P) as soon as the revoke returns
        for (const [p, n] of [[P, `two-${i}-p`], [Q, `two-${i}-q`]] as const) {
          const r = await send(p, 'PATCH', `/v1/keys/${c.id}`, admin.key, { name: n });
          if (r.status === 200) {
            acked.push({ what: `rename on ${name(p)}`, id: c.id, type: 'KeyUpdated' });
            expected.get(c.id)!.name = n;
          } else problems.push(`PATCH /v1/keys/${c.id} on ${name(p)} → ${show(r)}`);
        }
        const rv = await send(P, 'POST', `/v1/keys/${c.id}/revoke`, admin.key, { reason: 'fault suite' });
        if (rv.status !== 200) return void problems.push(`revoke ${c.id} on ${name(P)} → ${show(rv)}`);
        acked.push({ what: `revoke on ${name(P)}`, id: c.id, type: 'KeyRevoked' });
        expected.get(c.id)!.status = 'revoked';
        for (const p of [Q, P]) {
          const s = await meStatus(p, c.key);
          revocationChecks++;
          if (s !== 401) problems.push(`key ${c.id} revoked through ${name(P)}: GET /v1/me on ${name(p)} right after → ${s} (expected 401)`);
        }
      } else if (kind === 1) {
        // rename through P and revoke through Q at the same moment: one may lose (409), never both apply out of order
        const [rn, rv] = await Promise.all([
          send(P, 'PATCH', `/v1/keys/${c.id}`, admin.key, { name: `two-${i}-race` }),
          send(Q, 'POST', `/v1/keys/${c.id}/revoke`, admin.key, {}),
        ]);
        if (rn.status === 200) {
          acked.push({ what: `rename on ${name(P)}`, id: c.id, type: 'KeyUpdated' });
          expected.get(c.id)!.name = `two-${i}-race`;
        } else if (rn.status !== 409) problems.push(`racing rename of ${c.id} on ${name(P)} → ${show(rn)}`);
        if (rv.status === 200) {
          acked.push({ what: `revoke on ${name(Q)}`, id: c.id, type: 'KeyRevoked' });
          expected.get(c.id)!.status = 'revoked';
          for (const p of [P, Q]) {
            const s = await meStatus(p, c.key);
            revocationChecks++;
            if (s !== 401) problems.push(`key ${c.id} revoked through ${name(Q)}: GET /v1/me on ${name(p)} right after → ${s} (expected 401)`);
          }
        } else if (rv.status !== 409) problems.push(`racing revoke of ${c.id} on ${name(Q)} → ${show(rv)}`);
        if (rn.status !== 200 && rv.status !== 200) problems.push(`racing rename and revoke of ${c.id}: neither succeeded (${show(rn)}; ${show(rv)})`);
      } else {
        // rename through Q; the key keeps working on both
        const r = await send(Q, 'PATCH', `/v1/keys/${c.id}`, admin.key, { name: `two-${i}-only` });
        if (r.status === 200) {
          acked.push({ what: `rename on ${name(Q)}`, id: c.id, type: 'KeyUpdated' });
          expected.get(c.id)!.name = `two-${i}-only`;
        } else problems.push(`PATCH /v1/keys/${c.id} on ${name(Q)} → ${show(r)}`);
        for (const p of [P, Q]) if ((await meStatus(p, c.key)) !== 200) problems.push(`renamed key ${c.id} not accepted on ${name(p)}`);
      }
    });
    stopped = true;
    await Promise.all(background);
    row.sent = replies.length;
    row.acked = replies.filter((r) => r.status >= 200 && r.status < 300).length;
    row.notes.push(
      `${acked.length} acknowledged writes (${N} creates, renames, revokes; racing pairs through different APIs), ` +
        `${revocationChecks} revocation checks on both instances, ${replies.length - acked.length} reads`,
    );

    await quiesce('after the two-instance load');
    // every acknowledged write has its event, and the read model shows the last acknowledged state
    const lost: string[] = [];
    for (const a of acked) {
      const n = await q<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type = $2`, [`key-${a.id}`, a.type]);
      if (n[0].n === 0) lost.push(`${a.what} of ${a.id} acknowledged, no ${a.type} event`);
    }
    const rows = await q<{ id: string; name: string; status: string }>(`SELECT id::text, name, status FROM api_keys WHERE id = ANY($1::uuid[])`, [[...expected.keys()]]);
    for (const r of rows) {
      const e = expected.get(r.id)!;
      if (r.name !== e.name || r.status !== e.status) lost.push(`key ${r.id}: read model ${r.name}/${r.status}, acknowledged ${e.name}/${e.status}`);
    }
    if (rows.length !== expected.size) lost.push(`${expected.size} keys created, ${rows.length} rows`);
    // a rename never lands after the revoke it raced with
    const late = await q<{ stream_id: string }>(`
      SELECT r.stream_id FROM events r JOIN events u ON u.stream_id = r.stream_id AND u.type = 'KeyUpdated' AND u.stream_version > r.stream_version
       WHERE r.type = 'KeyRevoked' AND r.stream_id = ANY($1)`, [[...expected.keys()].map((id) => `key-${id}`)]);
    for (const l of late) problems.push(`${l.stream_id}: a KeyUpdated after the KeyRevoked`);
    row.lost = lost.length;
    problems.push(...lost);
    const workersAlive = ['worker-1b', 'worker-2'].filter((l) => procs.has(l)).length;
    row.notes.push(`${workersAlive} workers ran; checked: projector checkpoint = last event, row versions = stream versions, read model = rebuild`);
    problems.push(...fresh(await invariantViolations()));
    problems.push(...(await rebuildDifferences('after the two-instance load')));
    if (problems.length > 0) fail('scenario 5 (two APIs, two workers)', problems, ['api-A2', 'api-B', 'worker-1b', 'worker-2']);
    passedTests++;
  }, 120_000);

  it('no key value appears in the raw output of any process', () => {
    const bodies = new Set([...createdKeys.values()].map((k) => k.slice(3, 46))); // the 43 random characters
    const found: string[] = [];
    let bytes = 0;
    for (const { label, chunks } of rawLogs) {
      const text = Buffer.concat(chunks).toString('utf8');
      bytes += text.length;
      let hits = 0;
      for (const m of text.matchAll(/kw_[A-Za-z0-9]{8,}/g)) if (m[0].length > 10) hits++; // longer than a key's `start`
      for (const m of text.matchAll(/[A-Za-z0-9]{43,}/g)) {
        for (let i = 0; i + 43 <= m[0].length; i++) if (bodies.has(m[0].slice(i, i + 43))) hits++;
      }
      if (hits > 0) found.push(`${label}: ${hits} occurrence(s) of a key value`);
    }
    console.log(`key-leak scan: ${createdKeys.size} keys against ${rawLogs.length} captured outputs (${(bytes / 1e6).toFixed(1)} MB raw)`);
    if (found.length > 0) {
      failed = true;
      throw new Error(`key values in the logs (the logs themselves are not shown):\n  ${found.join('\n  ')}`);
    }
    expect(createdKeys.size).toBeGreaterThan(BURST);
    passedTests++;
  });
});

// ---------------------------------------------------------------------------------------------

function ok(records: LoadRecord[], kind: 'read' | 'write'): number {
  return records.filter((r) => r.kind === kind && r.reply.status >= 200 && r.reply.status < 300).length;
}

function statusCode(r: Reply): string {
  return r.status <= 0 ? (r.status === 0 ? 'no answer' : 'hang') : `${r.status}${r.code ? ` ${r.code}` : ''}`;
}

function latency(ms: number[]): string {
  if (ms.length === 0) return 'no requests';
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return `n=${ms.length} median ${fmtMs(at(0.5))}, p95 ${fmtMs(at(0.95))}, max ${fmtMs(sorted[sorted.length - 1])}`;
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** `n` new READONLY keys, each used twice on every instance so both hold it in their caches. */
async function warmKeys(tag: string, n: number, apis: RunningProcess[]): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await http(apis[i % apis.length].url!, 'POST', '/v1/keys', { key: admin.key, body: { name: `${tag}-${i}`, role: 'READONLY' } });
    if (r.status !== 201) throw new Error(`creating ${tag}-${i}: ${show(r)}\n${logExcerpt(['api-A2', 'api-B'])}`);
    keys.push(r.body.key);
  }
  for (const key of keys) {
    for (const api of [...apis, ...apis]) {
      const r = await http(api.url!, 'GET', '/v1/me', { key });
      if (r.status !== 200) throw new Error(`warming ${tag}: ${show(r)}`);
    }
  }
  return keys;
}
