import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { RunningServer, startRedisServer } from '@keyward/embedded';
import { APPEND_LOCK, PROJECTION_NAME, PROJECTOR_LOCK } from '@keyward/event-store';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { FaultHarness, Reply, delay, faultSuiteSettings, fmtMs, show, textTable, until } from '../support/fault-harness';
import { RunningProcess, processEnv, redactKeys } from '../support/processes';

/**
 * Fail-closed proof (CONTRACT.md v1.1, "Authentication, hardened"): revocation, deletion, owner
 * disable and rotation's end never fail open — they are effective on every API instance when the
 * call answers 2xx, also while the worker, Redis or both are stopped, or while a long transaction
 * holds the asynchronous projector back (commit c2bea99: key and user events applied to the read
 * model in the appending transaction; API caches kept coherent through Postgres leases).
 *
 * Real processes built from dist/ (`npm run build` first): two APIs (A, B) and one worker, over a
 * test database of their own and a redis-server of their own (so it can be paused and stopped).
 *
 * Faults, each in turn, each checked to be in effect when the operations are done:
 *  1a. the worker paused (SIGSTOP) outside any transaction;
 *  1b. the worker paused inside its usage append (it holds the log's append lock);
 *  1c. the worker paused inside a projector batch that moved the target keys' last use (it holds
 *      their rows; the test holds the projector's checkpoint row meanwhile, so a batch waits at its
 *      last write with those rows locked) — 1b and 1c are where a stopped worker can be: "whatever
 *      the worker is doing";
 *  2a. Redis paused (SIGSTOP: connections stay open, nothing answers); 2b. Redis stopped (SHUTDOWN);
 *  3.  the worker (outside any transaction) and Redis paused at once;
 *  4.  a transaction left open in another session (`BEGIN; SELECT txid_current()`): it holds the
 *      projector's visibility horizon below every write that follows.
 * (The worker's Postgres sessions are told apart by their client ports, read from /proc: Linux.)
 * During every fault the projector's checkpoint must stay below the operations' events: what they
 * changed, the inline projection changed.
 *
 * Under each fault, for each operation — revoke, delete, disable the key's owner (a user made for
 * the purpose), rotate with grace 0 — on a key just used on both instances (so cached: both hold a
 * live cache lease, checked), through one instance (alternating A/B): the answer is 2xx and comes
 * within 3 × INSTANCE_LEASE_MS (later is a hang), and the key is refused (401) on both instances
 * right after. When an operation stays unanswered for a few seconds, the Postgres lock it waits for
 * and the process holding it are recorded. Row versions equal their streams' versions already
 * during the fault (inline projection). Then the fault ends, and: every acknowledged write has its
 * events exactly once (an unacknowledged one none, and changed nothing); the keys stay refused
 * after the projector's second pass; the projector reaches the last event; row versions equal
 * stream versions; the read model equals `keyward projections rebuild`.
 *
 * Durations are reported, not asserted. Every wait is a bounded poll for a state. At the end the
 * fault matrix (fault × operation × instance → status, time, refused on A, refused on B) is printed
 * and written to test-artifacts/fail-closed-matrix.json, and the raw output of every process is
 * scanned for key values (keys are kept in memory only; output is described through redactKeys()).
 */

const LEASE_MS = 5_000; // INSTANCE_LEASE_MS (the default)
/** An operation answered later than this is a hang: the contract allows it one lease. */
const HANG_MS = 3 * LEASE_MS;
/** How long an operation's answer is awaited (past HANG_MS, to report what it ends with). */
const ANSWER_LIMIT_MS = HANG_MS + 5_000;
/** An operation unanswered after this has its lock waits recorded (what blocks it, held by which process). */
const DIAGNOSE_AFTER_MS = 3_000;
/**
 * How long a fault may take to catch the worker where it has to be paused (a bound on trying, not
 * a timing claim). 1b is caught by chance (the usage append is short); 1c waits for a batch held at
 * its checkpoint write, which takes a usage flush and a projector run.
 */
const CATCH_LIMIT_MS = 60_000;
const MATRIX_FILE = path.resolve(__dirname, '../..', 'test-artifacts', 'fail-closed-matrix.json');

const OPERATIONS = ['revoke', 'delete', 'disable owner', 'rotate (grace 0)'] as const;
type Operation = (typeof OPERATIONS)[number];
const EXPECTED_STATUS: Record<Operation, number> = { revoke: 200, delete: 204, 'disable owner': 200, 'rotate (grace 0)': 201 };

interface MatrixRow {
  fault: string;
  operation: Operation;
  via: 'A' | 'B';
  status: string;
  ms: number;
  /** API instances (of A, B) holding a live cache lease when the operation was sent. */
  leases: string;
  statusOnA: string;
  statusOnB: string;
  refusedOnA: boolean;
  refusedOnB: boolean;
}

/** A key to take rights from, made before the fault. */
interface Target {
  operation: Operation;
  keyId: string;
  /** The key's owner when the operation disables it (a user made for the purpose). */
  userId?: string;
  /** What the operation leaves in the log: once if acknowledged, not at all otherwise. */
  expected: { stream: string; type: string; where?: string }[];
  acknowledged?: boolean;
}

interface Fault {
  name: string;
  /** Puts the fault in place; resolves once it is in effect, with what was seen doing so. */
  apply(targets: Target[]): Promise<string | void>;
  /** Problems if the fault is not (or no longer) in effect; checked after the operations. */
  inEffect(targets: Target[]): Promise<string[]>;
  /** What the paused process still holds after the operations (reported, not asserted: ending it is a fix). */
  holding?(targets: Target[]): Promise<string>;
  resume(): Promise<void>;
}

const h = new FaultHarness();
let runDir: string;
let db: TestDatabase | undefined;
let redis: RunningServer | undefined;
let redisPort: number;
let redisDir: string;
let admin: { companyId: string; userId: string; keyId: string; key: string };
let A: RunningProcess;
let B: RunningProcess;
let worker: RunningProcess;
/** Processes this file paused (SIGSTOP): resumed whatever happens. */
const paused = new Set<number>();
let heldTransaction: Client | undefined;
const matrix: MatrixRow[] = [];
const notes: string[] = [];
let failed = false;

// ---------------------------------------------------------------------------------------------
// processes, sessions, locks

function pause(pid: number): void {
  process.kill(pid, 'SIGSTOP');
  paused.add(pid);
}

function resume(pid: number): void {
  paused.delete(pid);
  process.kill(pid, 'SIGCONT');
}

/** The state letter of /proc/<pid>/stat (T: stopped). */
function processState(pid: number): string {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '?';
  } catch {
    return 'gone';
  }
}

/** The local TCP ports of a process's sockets (its Postgres connections among them), from /proc. */
function localPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    // exited
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9])) ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

function ownerOfPort(port: number | null): string {
  if (port === null) return 'a local-socket client';
  for (const [label, p] of h.procs) if (localPorts(p.pid).has(port)) return `${label} (pid ${p.pid})`;
  return `a process not started by this file (port ${port})`;
}

interface Session {
  state: string;
  inTransaction: boolean;
  /** Advisory locks held, as the bigint keys the code takes them with. */
  advisory: string[];
  lastQuery: string;
}

/** The worker's Postgres sessions on this database (by their client ports). */
async function workerSessions(): Promise<Session[]> {
  const rows = await h.q<{ client_port: number; state: string; in_tx: boolean; advisory: string[]; last_query: string }>(`
    SELECT a.client_port, a.state, a.xact_start IS NOT NULL AS in_tx,
           coalesce((SELECT array_agg(((l.classid::bigint << 32) | l.objid::bigint)::text) FROM pg_locks l
                      WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted), '{}') AS advisory,
           left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120) AS last_query
      FROM pg_stat_activity a
     WHERE a.datname = current_database() AND a.client_port IS NOT NULL AND a.pid <> pg_backend_pid()`);
  const ports = localPorts(worker.pid);
  return rows
    .filter((r) => ports.has(r.client_port))
    .map((r) => ({ state: r.state, inTransaction: r.in_tx, advisory: r.advisory, lastQuery: r.last_query }));
}

const holds = (s: Session, lock: number) => s.advisory.includes(String(lock));

/** How many of the keys' rows another transaction holds locked now (probed with SKIP LOCKED, rolled back). */
async function lockedKeyRows(keyIds: string[]): Promise<number> {
  const client = await h.pool!.connect();
  try {
    await client.query('BEGIN');
    const free = await client.query('SELECT id FROM api_keys WHERE id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED', [keyIds]);
    return keyIds.length - (free.rowCount ?? 0);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** Every statement of this database waiting for a lock: the lock, and who holds it (process, state, last statement). */
async function lockWaits(): Promise<string[]> {
  const rows = await h.q<{ waiting: string; wants: string; client_port: number | null; state: string; xact_ms: number | null; last_query: string }>(`
    SELECT left(regexp_replace(w.query, '\\s+', ' ', 'g'), 90) AS waiting,
           (SELECT string_agg(l.locktype || coalesce(' ' || l.relation::regclass::text, '') ||
                              coalesce(' ' || ((l.classid::bigint << 32) | l.objid::bigint), '') || ' ' || l.mode, ', ')
              FROM pg_locks l WHERE l.pid = w.pid AND NOT l.granted) AS wants,
           b.client_port, b.state,
           round(extract(epoch FROM clock_timestamp() - b.xact_start) * 1000)::int AS xact_ms,
           left(regexp_replace(b.query, '\\s+', ' ', 'g'), 160) AS last_query
      FROM pg_stat_activity w
      CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid)
      JOIN pg_stat_activity b ON b.pid = bp.pid
     WHERE w.datname = current_database() AND b.wait_event_type IS DISTINCT FROM 'Lock'`);
  const named = (lock: string) =>
    lock.replace(String(APPEND_LOCK), `${APPEND_LOCK} (APPEND_LOCK)`).replace(String(PROJECTOR_LOCK), `${PROJECTOR_LOCK} (PROJECTOR_LOCK)`);
  return rows.map((r) =>
    redactKeys(
      `"${r.waiting}" waits for ${named(r.wants ?? '?')}, held by ${ownerOfPort(r.client_port)}: ${r.state}` +
        `${r.xact_ms === null ? '' : `, in a transaction for ${fmtMs(r.xact_ms)}`}, last statement "${r.last_query}"`,
    ),
  );
}

/**
 * Holds the projector's checkpoint row in a transaction of the test's own: a projector batch that
 * reaches its checkpoint write waits there, with the rows it has changed still locked. The returned
 * function lets it go.
 */
async function holdCheckpointRow(): Promise<() => Promise<void>> {
  const client = await h.pool!.connect();
  await client.query('BEGIN');
  const held = await client.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [PROJECTION_NAME]);
  expect(held.rowCount).toBe(1); // the stack has projected before: the row exists
  return async () => {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  };
}

/**
 * Pauses the worker at a moment `wanted` accepts (checked once a statement it had in flight has
 * finished): polls its sessions, pauses it when `ready` says so, and lets it go on if the moment
 * was missed. `useKeys` are used on both APIs meanwhile (their usage is the worker's work). With
 * `holdCheckpoint`, a projector batch is held at its checkpoint write until the worker is paused
 * (then let go: the write ends, the paused worker's transaction stays open), instead of being
 * caught by chance between statements.
 */
async function pauseWorker(
  what: string,
  o: { ready: (s: Session[]) => boolean; wanted: (s: Session[]) => Promise<boolean>; useKeys: string[]; holdCheckpoint?: boolean },
): Promise<string> {
  let stop = false;
  const traffic = (o.useKeys.length > 0 ? [A, B] : []).map(async (p) => {
    for (let i = 0; !stop; i++) {
      await h.http(p.url!, 'GET', '/v1/me', { key: o.useKeys[i % o.useKeys.length], timeoutMs: 10_000 });
      await delay(20); // pacing of the load, not a wait for anything: every usage flush carries each key
    }
  });
  let attempts = 0;
  let release: (() => Promise<void>) | undefined;
  try {
    const { value } = await until(
      what,
      async () => {
        if (o.holdCheckpoint) release ??= await holdCheckpointRow();
        if (!o.ready(await workerSessions())) return false;
        attempts++;
        pause(worker.pid);
        await release?.();
        release = undefined;
        await delay(100);
        const sessions = await workerSessions();
        if (await o.wanted(sessions)) {
          const busy = sessions.filter((s) => s.inTransaction).map((s) => `${s.state}, last statement "${s.lastQuery}"`);
          return `caught after ${attempts} pause(s)${busy.length > 0 ? `: ${busy.join('; ')}` : ': no session in a transaction'}`;
        }
        resume(worker.pid);
        return false;
      },
      CATCH_LIMIT_MS,
      2,
    );
    return value;
  } finally {
    stop = true;
    await release?.();
    await Promise.all(traffic);
  }
}

const outsideTransactions = async (s: Session[]) => s.every((x) => !x.inTransaction && x.advisory.length === 0);

/** Pauses the worker while none of its sessions is in a transaction or holds a lock. */
const pauseWorkerIdle = () =>
  pauseWorker('the worker paused outside any transaction', { ready: (s) => s.every((x) => !x.inTransaction), wanted: outsideTransactions, useKeys: [] });

async function workerStillPaused(): Promise<string[]> {
  return processState(worker.pid) === 'T' ? [] : [`the worker is not stopped (state ${processState(worker.pid)})`];
}

// ---------------------------------------------------------------------------------------------
// Redis

async function redisPid(): Promise<number> {
  const pid = Number((await readFile(path.join(redisDir, 'redis-server.pid'), 'utf8')).trim());
  if (!Number.isInteger(pid) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server')) {
    throw new Error(`no redis-server behind its pid file (${pid})`);
  }
  return pid;
}

async function startRedis(): Promise<void> {
  redis = await startRedisServer({ dataDir: redisDir, port: redisPort });
}

/** 'PONG', 'no answer' (within 1 s: a paused server still accepts connections) or 'refused'. */
function redisAnswer(): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: redisPort });
    let answer = '';
    const done = (what: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('no answer'), 1_000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG') ? 'PONG' : answer.trim());
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : (err.code ?? err.message)));
  });
}

async function redisStillPaused(): Promise<string[]> {
  const state = processState(await redisPid());
  const answer = await redisAnswer();
  return state === 'T' && answer === 'no answer' ? [] : [`redis-server is not paused (state ${state}, PING: ${answer})`];
}

// ---------------------------------------------------------------------------------------------
// faults

const FAULTS: Fault[] = [
  {
    name: '1a worker SIGSTOP',
    apply: pauseWorkerIdle,
    inEffect: workerStillPaused,
    resume: async () => resume(worker.pid),
  },
  {
    name: '1b worker SIGSTOP in its append',
    apply: () =>
      pauseWorker('the worker paused inside its usage append (holding the append lock)', {
        ready: (s) => s.some((x) => holds(x, APPEND_LOCK)),
        wanted: async (s) => s.some((x) => holds(x, APPEND_LOCK)),
        useKeys: [admin.key],
      }),
    inEffect: workerStillPaused,
    holding: async () =>
      (await workerSessions()).some((x) => holds(x, APPEND_LOCK))
        ? 'the paused worker still holds the append lock'
        : "the paused worker's transaction was ended meanwhile (append lock released)",
    resume: async () => resume(worker.pid),
  },
  {
    name: '1c worker SIGSTOP in a projector batch',
    apply: (targets) => {
      const keyIds = targets.map((t) => t.keyId);
      return pauseWorker("the worker paused inside a projector batch holding the target keys' rows", {
        ready: (s) => s.some((x) => holds(x, PROJECTOR_LOCK)) && !s.some((x) => holds(x, APPEND_LOCK)),
        wanted: async (s) =>
          s.some((x) => holds(x, PROJECTOR_LOCK)) && !s.some((x) => holds(x, APPEND_LOCK)) && (await lockedKeyRows(keyIds)) === keyIds.length,
        useKeys: keyIds.map((id) => h.createdKeys.get(id)!),
        holdCheckpoint: true,
      });
    },
    inEffect: workerStillPaused,
    holding: async (targets) => {
      const held = await lockedKeyRows(targets.map((t) => t.keyId));
      return `the paused worker still holds ${held} of the ${targets.length} target keys' rows`;
    },
    resume: async () => resume(worker.pid),
  },
  {
    name: '2a Redis SIGSTOP',
    apply: async () => pause(await redisPid()),
    inEffect: redisStillPaused,
    resume: async () => resume(await redisPid()),
  },
  {
    name: '2b Redis stopped',
    apply: async () => {
      await redis!.stop();
    },
    inEffect: async () => {
      const answer = await redisAnswer();
      return answer === 'refused' ? [] : [`Redis is not stopped (PING: ${answer})`];
    },
    resume: startRedis,
  },
  {
    name: '3 worker + Redis SIGSTOP',
    apply: async () => {
      const seen = await pauseWorkerIdle();
      pause(await redisPid());
      return seen;
    },
    inEffect: async () => [...(await workerStillPaused()), ...(await redisStillPaused())],
    resume: async () => {
      resume(await redisPid());
      resume(worker.pid);
    },
  },
  {
    name: '4 transaction held open',
    apply: async () => {
      heldTransaction = new Client({ connectionString: db!.url, application_name: 'fail-closed-held-transaction' });
      heldTransaction.on('error', () => undefined);
      await heldTransaction.connect();
      await heldTransaction.query('BEGIN');
      await heldTransaction.query('SELECT txid_current()');
    },
    inEffect: async () => {
      const rows = await h.q(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'fail-closed-held-transaction' AND backend_xid IS NOT NULL`);
      return rows.length === 1 ? [] : ['the held transaction is not open'];
    },
    resume: async () => {
      await heldTransaction?.query('ROLLBACK');
      await heldTransaction?.end();
      heldTransaction = undefined;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// operations

const label = (p: RunningProcess) => (p === A ? 'A' : 'B');

function adminCall(p: RunningProcess, method: string, route: string, body?: unknown): Promise<Reply> {
  return h.http(p.url!, method, route, { key: admin.key, body, timeoutMs: ANSWER_LIMIT_MS });
}

/** A key (and, to disable its owner, a user made for the purpose) for `operation`. */
async function prepare(tag: string, operation: Operation, via: RunningProcess): Promise<Target> {
  let ownerId: string | undefined;
  if (operation === 'disable owner') {
    const u = await adminCall(via, 'POST', '/v1/users', { email: `${tag}@fail-closed.test`, name: tag, role: 'READONLY' });
    if (u.status !== 201) throw new Error(`creating user ${tag}: ${show(u)}`);
    ownerId = u.body.id;
  }
  const k = await adminCall(via, 'POST', '/v1/keys', { name: tag, role: 'READONLY', ...(ownerId ? { ownerId } : {}) });
  if (k.status !== 201) throw new Error(`creating key ${tag}: ${show(k)}`);
  const keyId: string = k.body.id;
  const stream = `key-${keyId}`;
  const expected = {
    revoke: [{ stream, type: 'KeyRevoked' }],
    delete: [{ stream, type: 'KeyDeleted' }],
    'disable owner': [{ stream: `user-${ownerId}`, type: 'UserUpdated', where: `(data->'changes'->>'disabled')::boolean` }],
    'rotate (grace 0)': [{ stream, type: 'KeyRotated' }],
  }[operation];
  return { operation, keyId, userId: ownerId, expected };
}

function perform(t: Target, via: RunningProcess): Promise<Reply> {
  switch (t.operation) {
    case 'revoke':
      return adminCall(via, 'POST', `/v1/keys/${t.keyId}/revoke`, { reason: 'fail-closed proof' });
    case 'delete':
      return adminCall(via, 'DELETE', `/v1/keys/${t.keyId}`);
    case 'disable owner':
      return adminCall(via, 'PATCH', `/v1/users/${t.userId}`, { disabled: true });
    case 'rotate (grace 0)':
      return adminCall(via, 'POST', `/v1/keys/${t.keyId}/rotate`, { gracePeriodSeconds: 0 });
  }
}

/** GET /v1/me with `key` on A and B at the same moment. */
async function useOnBoth(key: string): Promise<[Reply, Reply]> {
  const [a, b] = await Promise.all([A, B].map((p) => h.http(p.url!, 'GET', '/v1/me', { key, timeoutMs: ANSWER_LIMIT_MS })));
  return [a, b];
}

/** Which of A, B hold a live cache lease now (database clock): they answer from their caches. */
async function liveLeases(): Promise<string[]> {
  const pids = new Set((await h.q<{ pid: number }>('SELECT pid FROM auth_instances WHERE valid_until > clock_timestamp()')).map((r) => r.pid));
  return [A, B].filter((p) => pids.has(p.pid)).map(label);
}

async function eventCount(e: Target['expected'][number]): Promise<number> {
  const [row] = await h.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type = $2 ${e.where ? `AND ${e.where}` : ''}`,
    [e.stream, e.type],
  );
  return row.n;
}

/** One operation under the fault: its matrix row, and the problems it showed. */
async function operate(fault: Fault, t: Target, via: RunningProcess, problems: string[]): Promise<void> {
  const problemsBefore = problems.length;
  const key = h.createdKeys.get(t.keyId)!;
  for (let round = 0; round < 2; round++) {
    (await useOnBoth(key)).forEach((r, j) => {
      if (r.status !== 200) problems.push(`${t.operation}: key ${t.keyId} not accepted on ${j === 0 ? 'A' : 'B'} before the operation → ${show(r)}`);
    });
  }
  const leases = await liveLeases();
  if (leases.length !== 2) problems.push(`${t.operation}: only [${leases.join(', ')}] held a live cache lease when the operation was sent`);

  const pending = perform(t, via);
  const waits = await Promise.race([pending.then(() => null), delay(DIAGNOSE_AFTER_MS).then(lockWaits)]);
  const reply = await pending;
  const [onA, onB] = await useOnBoth(key);
  const row: MatrixRow = {
    fault: fault.name,
    operation: t.operation,
    via: label(via),
    status: reply.status === -1 ? 'no answer' : reply.status === 0 ? 'connection lost' : `${reply.status}${reply.code ? ` ${reply.code}` : ''}`,
    ms: reply.endedAt - reply.startedAt,
    leases: leases.join('+') || 'none',
    statusOnA: String(onA.status),
    statusOnB: String(onB.status),
    refusedOnA: onA.status === 401,
    refusedOnB: onB.status === 401,
  };
  matrix.push(row);

  const what = `${t.operation} of ${t.keyId} through ${row.via}`;
  t.acknowledged = reply.status >= 200 && reply.status < 300;
  if (reply.status !== EXPECTED_STATUS[t.operation]) problems.push(`${what} → ${show(reply)} (expected ${EXPECTED_STATUS[t.operation]})`);
  if (row.ms > HANG_MS) problems.push(`${what}: a hang — answered after ${fmtMs(row.ms)}, more than 3 × INSTANCE_LEASE_MS = ${fmtMs(HANG_MS)}`);
  for (const [side, r] of [['A', onA], ['B', onB]] as const) {
    if (r.status !== 401) problems.push(`${what} answered ${row.status}; the key on ${side} right after → ${show(r)} (expected 401)`);
  }
  // what kept it waiting: part of the failure when it failed, a note otherwise (a lease's wait is allowed)
  const waited = (waits ?? []).map((w) => `${what}, unanswered after ${fmtMs(DIAGNOSE_AFTER_MS)}: ${w}`);
  if (problems.length > problemsBefore) problems.push(...waited);
  else notes.push(...waited.map((w) => `${fault.name}: ${w} (answered ${row.status} in ${fmtMs(row.ms)})`));
  if (t.operation === 'rotate (grace 0)' && reply.status === 201) {
    t.expected.push({ stream: `key-${reply.body.id}`, type: 'KeyCreated' });
    (await useOnBoth(reply.body.key)).forEach((r, j) => {
      if (r.status !== 200) problems.push(`${what}: the new key on ${j === 0 ? 'A' : 'B'} → ${show(r)} (expected 200)`);
    });
  }
}

/** Runs one fault; returns the problems found (none: it was survived as the contract says). */
async function runFault(fault: Fault, index: number): Promise<string[]> {
  const problems: string[] = [];
  const targets = await Promise.all(OPERATIONS.map((op, i) => prepare(`f${index}-${i}`, op, i % 2 === 0 ? A : B)));
  // no projector run that began before the fault may go on into it (a run in flight when Redis
  // stops keeps reading the log): what the projector applies during the fault must be nothing
  await h.quiesce(`${fault.name}: before the fault`, { projectorRuns: true });
  const began = Date.now();
  const seen = await fault.apply(targets);
  const faultNotes = seen ? [seen] : [];
  // every event of the operations comes after this
  const headAtFault = (await h.projectionState()).head;
  try {
    for (const [i, t] of targets.entries()) await operate(fault, t, (index + i) % 2 === 0 ? A : B, problems);
    // still under the fault: in effect, the projector held back, and yet every row current (inline)
    problems.push(...(await fault.inEffect(targets)).map((p) => `${p} at the end of the operations`));
    if (fault.holding) faultNotes.push(`${await fault.holding(targets)} at the end of the operations`);
    const state = await h.projectionState();
    const [projected] = await h.q<{ n: number }>(
      `SELECT count(*)::int AS n FROM events e, projection_checkpoints c
        WHERE c.name = 'read-models' AND e.stream_id = ANY($1) AND e.position > $2
          AND (e.transaction_id, e.position) <= (c.transaction_id, c.position)`,
      [targets.flatMap((t) => t.expected.map((e) => e.stream)), headAtFault],
    );
    if (projected.n > 0) problems.push(`the projector applied ${projected.n} of the operations' events during the fault: it did not hold the projector back`);
    faultNotes.push(`projector checkpoint at position ${state.position}, log head ${state.head} at the end of the operations`);
    problems.push(...(await h.versionMismatches()).map((p) => `during the fault: ${p}`));
  } finally {
    await fault.resume();
  }
  faultNotes.push(`fault in place ${fmtMs(Date.now() - began)}`);

  // the log: every acknowledged write once; an unacknowledged one not at all
  for (const t of targets) {
    for (const e of t.expected) {
      const n = await eventCount(e);
      const want = t.acknowledged ? 1 : 0;
      if (n !== want) problems.push(`${t.operation} of ${t.keyId} ${t.acknowledged ? 'acknowledged' : 'not acknowledged'}: ${n} ${e.type} event(s) on ${e.stream} (expected ${want})`);
    }
  }
  // the projector's second pass takes nothing back (and adds nothing to what was refused)
  await h.quiesce(`${fault.name}: after the fault`);
  for (const t of targets) {
    const want = t.acknowledged ? 401 : 200;
    (await useOnBoth(h.createdKeys.get(t.keyId)!)).forEach((r, j) => {
      if (r.status !== want) {
        problems.push(`${t.operation} of ${t.keyId} (${t.acknowledged ? 'acknowledged' : 'not acknowledged'}): the key on ${j === 0 ? 'A' : 'B'} after the projector caught up → ${show(r)} (expected ${want})`);
      }
    });
  }
  problems.push(...(await h.invariantViolations()).map((p) => `after the fault: ${p}`));
  problems.push(...(await h.rebuildDifferences(`${fault.name}: after the fault`)).map((p) => `rebuild: ${p}`));
  notes.push(`${fault.name}: ${faultNotes.join('; ')}`);
  return problems;
}

function fail(what: string, problems: string[]): never {
  failed = true;
  const shown = problems.slice(0, 24).map((p) => `  - ${redactKeys(p)}`);
  if (problems.length > 24) shown.push(`  … and ${problems.length - 24} more`);
  throw new Error(`${what}:\n${shown.join('\n')}\nprocess logs (warn/error, redacted):\n${h.logExcerpt(['api-A', 'api-B', 'worker'], 12)}`);
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  runDir = await mkdtemp(path.join(tmpdir(), 'keyward-fail-closed-'));
  redisDir = path.join(runDir, 'redis');
  db = await createTestDatabase();
  await startRedis();
  redisPort = Number(new URL(redis!.url).port);
  const config = testConfig({ DATABASE_URL: db.url, REDIS_URL: redis!.url });
  h.connect({ env: processEnv(config, faultSuiteSettings(LEASE_MS)), databaseUrl: db.url, redisUrl: redis!.url, redisPrefix: config.redisPrefix });
  admin = await h.cli(['bootstrap'], true); // prints the first key (stdout kept out of the scanned logs)
  h.createdKeys.set(admin.keyId, admin.key);
  [A, B, worker] = await Promise.all([h.launch('api-A', 'api'), h.launch('api-B', 'api'), h.launch('worker', 'worker')]);
}, 90_000);

beforeEach(() => h.markLogs());

afterAll(async () => {
  for (const pid of paused) resume(pid);
  await heldTransaction?.query('ROLLBACK').catch(() => undefined);
  await heldTransaction?.end().catch(() => undefined);
  if (matrix.length > 0) {
    const yn = (refused: boolean, status: string) => `${refused ? 'yes' : 'NO'} (${status})`;
    const table = textTable(
      ['fault', 'operation', 'via', 'status', 'time ms', 'leases', 'refused on A', 'refused on B'],
      matrix.map((r) => [r.fault, r.operation, r.via, r.status, String(r.ms), r.leases, yn(r.refusedOnA, r.statusOnA), yn(r.refusedOnB, r.statusOnB)]),
    );
    process.stdout.write(
      `\nFail-closed matrix (INSTANCE_LEASE_MS ${LEASE_MS} ms; time: until the operation's answer; leases: instances holding a live ` +
        `cache lease when it was sent; refused: GET /v1/me with the key on that instance right after the answer)\n` +
        `${table}\n${notes.map((n) => `  ${n}`).join('\n')}\n`,
    );
    await mkdir(path.dirname(MATRIX_FILE), { recursive: true });
    await writeFile(MATRIX_FILE, `${JSON.stringify({ generatedAt: new Date().toISOString(), instanceLeaseMs: LEASE_MS, rows: matrix, notes }, null, 2)}\n`);
  }
  await h.close();
  await redis?.stop();
  await db?.drop().catch(() => undefined);
  if (failed && runDir) {
    await h.writeRedactedLogs(path.join(runDir, 'logs'));
    await rm(redisDir, { recursive: true, force: true });
    process.stdout.write(`redacted process logs kept in ${path.join(runDir, 'logs')}\n`);
  } else if (runDir) {
    await rm(runDir, { recursive: true, force: true });
  }
}, 60_000);

describe('fail closed: revoke, delete, owner disable and rotation hold on both instances under faults (real processes)', () => {
  for (const [index, fault] of FAULTS.entries()) {
    // bounded by a run in which every operation hangs; a passing one takes seconds
    it(`${fault.name}: every operation answers 2xx and the key is refused on A and B right after; nothing lost or applied twice`, async () => {
      const problems = await runFault(fault, index);
      if (problems.length > 0) fail(fault.name, problems);
    }, CATCH_LIMIT_MS + OPERATIONS.length * (ANSWER_LIMIT_MS + 5_000) + 120_000);
  }

  it('no key value appears in the raw output of any process', () => {
    const { found, summary } = h.keyLeaks();
    process.stdout.write(`${summary}\n`);
    if (found.length > 0) {
      failed = true;
      throw new Error(`key values in the logs (the logs themselves are not shown):\n  ${found.join('\n  ')}`);
    }
    expect(h.createdKeys.size).toBeGreaterThan(FAULTS.length * OPERATIONS.length);
  });
});
