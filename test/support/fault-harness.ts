import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { PROJECTOR_LOCK } from '@keyward/event-store';
import { ProcessKind, RunningProcess, redactKeys, runCli, startProcess } from './processes';

/**
 * What the fault suites (test/faults/) share: real API and worker processes built from dist/,
 * the raw output of each (scanned for key values at the end, never printed), an HTTP client that
 * keeps every key an answer hands out, bounded polls, and the whole-log checks that must hold
 * on a quiet system (row versions, projector checkpoint, read model = `keyward projections rebuild`).
 *
 * Keys are secrets even here: they are kept in memory only, replies are described through
 * redactKeys(), and the logs written on failure are redacted.
 */

export interface Reply {
  /** HTTP status; 0: no answer (connection refused or reset); -1: no answer within the bound (hang). */
  status: number;
  code?: string;
  retryAfter: string | null;
  body: any;
  startedAt: number;
  endedAt: number;
  error?: string;
}

export interface CapturedOutput {
  label: string;
  chunks: Buffer[];
}

/** The default bound of a poll for a state. */
export const POLL_LIMIT_MS = 60_000;
/**
 * A usage job held by a worker that was killed stays "active" until BullMQ's stalled-job check
 * (lockDuration 30 s + stalledInterval 30 s by default) hands it to another worker: up to a minute.
 */
export const QUIESCE_LIMIT_MS = 90_000;
/** The read models the key domain projects (inline and again by the projector). */
export const READ_MODELS = ['companies', 'users', 'api_keys'];

/**
 * Settings of every process of a fault suite: the request logs on (the key-leak scan reads them),
 * limits out of the way of the load, a fast projector tick, the given instance lease.
 */
export function faultSuiteSettings(leaseMs: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    LOG_LEVEL: 'info',
    DEFAULT_RATE_LIMIT: '1000000',
    AUTH_FAILURE_LIMIT: '1000000',
    PROJECTION_TICK_MS: '1000',
    INSTANCE_LEASE_MS: String(leaseMs),
    ...extra,
  };
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false; returns it and the time it took. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = POLL_LIMIT_MS,
  everyMs = 50,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return { value: value as T, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await delay(everyMs);
  }
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i], i);
    }),
  );
  return out;
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms} ms`;
}

export function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export function statusCode(r: Reply): string {
  return r.status <= 0 ? (r.status === 0 ? 'no answer' : 'hang') : `${r.status}${r.code ? ` ${r.code}` : ''}`;
}

/** A reply for people: status, code, Retry-After, time and the problem's detail, keys redacted. */
export function show(r: Reply): string {
  if (r.status <= 0) return `${r.status === 0 ? 'no answer' : 'HANG'} (${r.error}) after ${r.endedAt - r.startedAt} ms`;
  const detail = typeof r.body === 'object' && r.body ? (r.body.detail ?? '') : String(r.body ?? '').slice(0, 200);
  return redactKeys(
    `${r.status}${r.code ? ` ${r.code}` : ''}${r.retryAfter ? ` Retry-After: ${r.retryAfter}` : ''} in ${r.endedAt - r.startedAt} ms${detail ? ` — ${detail}` : ''}`,
  );
}

/** A plain-text table: a header row, a rule, the rows. */
export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export class FaultHarness {
  /** Everything each process (and command line run) printed, unredacted. Never print it. */
  readonly rawLogs: CapturedOutput[] = [];
  /** id → key value of every key any answer handed out (the bootstrap key included). Never printed. */
  readonly createdKeys = new Map<string, string>();
  readonly procs = new Map<string, RunningProcess>();
  /** Labels of processes that have exited, for whatever reason. */
  readonly exitedLabels = new Set<string>();
  /** How much of each output existed at the last markLogs(): excerpts show only what came after. */
  private readonly logMarks = new Map<CapturedOutput, number>();
  /** The processes' environment (database, Redis, prefix, settings). */
  env: NodeJS.ProcessEnv = {};
  redisUrl = '';
  redisPrefix = '';
  pool?: Pool;

  /** Connects the harness to the servers the suite started; `env` is what every process gets. */
  connect(o: { env: NodeJS.ProcessEnv; databaseUrl: string; redisUrl: string; redisPrefix: string }): void {
    this.env = o.env;
    this.redisUrl = o.redisUrl;
    this.redisPrefix = o.redisPrefix;
    this.pool = new Pool({ connectionString: o.databaseUrl, max: 3, connectionTimeoutMillis: 5_000 });
    this.pool.on('error', () => undefined); // a fault suite may stop Postgres on purpose
  }

  async close(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.stop()));
    await this.pool?.end().catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------
  // processes and their output

  capture(label: string): (chunk: Buffer) => void {
    const chunks: Buffer[] = [];
    this.rawLogs.push({ label, chunks });
    return (chunk) => chunks.push(chunk);
  }

  async launch(label: string, kind: ProcessKind, extra: NodeJS.ProcessEnv = {}): Promise<RunningProcess> {
    const started = await startProcess(kind, { ...this.env, ...extra }, { onRawOutput: this.capture(label) });
    this.procs.set(label, started);
    void started.exited.then(() => this.exitedLabels.add(label));
    return started;
  }

  /**
   * The process under `label`, started first if no live one has it: a scenario that needs what an
   * earlier scenario should have left running does not depend on that scenario having got that far.
   */
  async running(label: string, kind: ProcessKind): Promise<RunningProcess> {
    const p = this.procs.get(label);
    if (p && !this.exitedLabels.has(label)) return p;
    this.exitedLabels.delete(label);
    return this.launch(label, kind);
  }

  proc(label: string): RunningProcess {
    const p = this.procs.get(label);
    if (!p) throw new Error(`no process ${label}`);
    return p;
  }

  /** The command line; its stderr (and, unless it prints a key by design, its stdout) joins the scanned logs. */
  async cli(args: string[], printsKey = false): Promise<any> {
    const result = await runCli([...args, '--json'], this.env);
    this.capture(`cli ${args.join(' ')} (stderr)`)(Buffer.from(result.stderr));
    if (!printsKey) this.capture(`cli ${args.join(' ')} (stdout)`)(Buffer.from(result.stdout));
    if (result.code !== 0) throw new Error(`keyward ${args.join(' ')} exited with ${result.code}: ${redactKeys(result.stderr)}`);
    return JSON.parse(result.stdout.trim().split('\n').pop()!);
  }

  markLogs(): void {
    for (const entry of this.rawLogs) this.logMarks.set(entry, entry.chunks.length);
  }

  /** The last warn/error lines (and non-JSON lines) a process printed since markLogs(), redacted: for failure reports. */
  logExcerpt(labels: string[], lines = 25): string {
    return labels
      .map((label) => {
        const entry = [...this.rawLogs].reverse().find((l) => l.label === label);
        const text = redactKeys(Buffer.concat(entry?.chunks.slice(this.logMarks.get(entry) ?? 0) ?? []).toString('utf8'));
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

  /** Every captured output, redacted, one file each, in `dir` (for the post-mortem of a failed run). */
  async writeRedactedLogs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const [i, l] of this.rawLogs.entries()) {
      const name = `${String(i).padStart(2, '0')}-${l.label.replace(/[^A-Za-z0-9_-]+/g, '_')}.log`;
      await writeFile(path.join(dir, name), redactKeys(Buffer.concat(l.chunks).toString('utf8')));
    }
  }

  /**
   * Scans the raw output of every process for the value of any key handed out: the `kw_` form
   * longer than a key's shown `start`, and the 43 random characters on their own.
   */
  keyLeaks(): { found: string[]; summary: string } {
    const bodies = new Set([...this.createdKeys.values()].map((k) => k.slice(3, 46)));
    const found: string[] = [];
    let bytes = 0;
    for (const { label, chunks } of this.rawLogs) {
      const text = Buffer.concat(chunks).toString('utf8');
      bytes += text.length;
      let hits = 0;
      for (const m of text.matchAll(/kw_[A-Za-z0-9]{8,}/g)) if (m[0].length > 10) hits++;
      for (const m of text.matchAll(/[A-Za-z0-9]{43,}/g)) {
        for (let i = 0; i + 43 <= m[0].length; i++) if (bodies.has(m[0].slice(i, i + 43))) hits++;
      }
      if (hits > 0) found.push(`${label}: ${hits} occurrence(s) of a key value`);
    }
    const summary = `key-leak scan: ${this.createdKeys.size} keys against ${this.rawLogs.length} captured outputs (${(bytes / 1e6).toFixed(1)} MB raw)`;
    return { found, summary };
  }

  // -------------------------------------------------------------------------------------------
  // HTTP and SQL

  async http(
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
      if (res.status === 201 && typeof body?.key === 'string' && typeof body?.id === 'string') this.createdKeys.set(body.id, body.key);
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

  async q<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool!.query(text, params)).rows as T[];
  }

  // -------------------------------------------------------------------------------------------
  // whole-log checks

  /** The projector's checkpoint and the last event in reader order (transaction id, then position). */
  async projectionState(): Promise<{ checkpoint: string; last: string; head: number; position: number }> {
    const [row] = await this.q<{ cp: string | null; pos: string | null; last: string | null; head: string | null }>(`
      SELECT (SELECT transaction_id::text || '/' || position FROM projection_checkpoints WHERE name = 'read-models') AS cp,
             (SELECT position FROM projection_checkpoints WHERE name = 'read-models') AS pos,
             (SELECT transaction_id::text || '/' || position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1) AS last,
             (SELECT max(position) FROM events) AS head`);
    return { checkpoint: row.cp ?? '0/0', last: row.last ?? '0/0', head: Number(row.head ?? 0), position: Number(row.pos ?? 0) };
  }

  /**
   * Waits until nothing is in flight anywhere: every live API's usage buffer is empty, the usage queue
   * is idle, and the projector's checkpoint is the last event. Returns the head. With
   * `projectorRuns`, also until no projector run is waiting or running (a run can go on after
   * catching up; waiting for that costs a busy worker tens of seconds, so only where it matters).
   */
  async quiesce(what: string, { projectorRuns = false } = {}): Promise<number> {
    const apis = [...this.procs.values()].filter((p) => p.kind === 'api');
    const usage = new Queue('usage', { connection: { url: this.redisUrl, maxRetriesPerRequest: 1 }, prefix: `${this.redisPrefix}:bull` });
    usage.on('error', () => undefined);
    const projections = projectorRuns ? new Queue('projections', { connection: { url: this.redisUrl, maxRetriesPerRequest: 1 }, prefix: `${this.redisPrefix}:bull` }) : undefined;
    projections?.on('error', () => undefined);
    try {
      const { value } = await until(
        `${what}: buffers empty, queues idle, projector at the last event`,
        async () => {
          for (const api of apis) {
            const metrics = await fetch(`${api.url}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text()).catch(() => '');
            const size = /^keyward_usage_buffer_size\s+(\d+)/m.exec(metrics)?.[1];
            if (size !== '0') return false;
          }
          const counts = await usage.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (Object.values(counts).some((n) => n > 0)) return false;
          // the scheduled tick is always delayed: a run woken or started is what must be over
          const runs = projections ? await projections.getJobCounts('waiting', 'active', 'prioritized') : {};
          if (Object.values(runs).some((n) => n > 0)) return false;
          const s = await this.projectionState();
          return s.checkpoint === s.last ? s.head : false;
        },
        QUIESCE_LIMIT_MS,
        100,
      );
      return value;
    } finally {
      await usage.close().catch(() => undefined);
      await projections?.close().catch(() => undefined);
    }
  }

  /**
   * Each key and user row whose version is not its stream's version in `streams` (an event
   * skipped or applied twice), and each stream whose version is not its last event's (a gap).
   * Needs no quiet system: key and user events are applied in the appending transaction.
   */
  async versionMismatches(): Promise<string[]> {
    const out: string[] = [];
    const rows = await this.q<{ id: string; tbl: string; version: number; stream: number | null }>(`
      SELECT k.id::text, 'api_keys' AS tbl, k.version, st.version AS stream
        FROM api_keys k LEFT JOIN streams st ON st.stream_id = 'key-' || k.id::text
       WHERE st.version IS DISTINCT FROM k.version
      UNION ALL
      SELECT u.id::text, 'users', u.version, st.version
        FROM users u LEFT JOIN streams st ON st.stream_id = 'user-' || u.id::text
       WHERE st.version IS DISTINCT FROM u.version`);
    for (const r of rows) out.push(`${r.tbl} row ${r.id}: version ${r.version}, its stream is at ${r.stream ?? '(no stream)'}`);
    const streams = await this.q<{ stream_id: string; version: number; v: number }>(`
      SELECT st.stream_id, st.version, e.v FROM streams st
        JOIN (SELECT stream_id, max(stream_version) AS v, count(*) AS n FROM events GROUP BY stream_id) e USING (stream_id)
       WHERE st.version <> e.v OR e.n <> e.v`);
    for (const s of streams) out.push(`stream ${s.stream_id}: streams.version ${s.version}, events up to ${s.v} (gaps or mismatch)`);
    return out;
  }

  /**
   * The invariants that must hold whenever the system is quiet:
   * - every KeyCreated / UserCreated / CompanyCreated has its row, and no row lacks its creation event;
   * - every key and user row's version is its stream's version (nothing applied twice or skipped);
   * - the projector's checkpoint is the last event.
   */
  async invariantViolations(): Promise<string[]> {
    await this.quiesce('before the invariant checks');
    const out: string[] = [];
    const missing = await this.q<{ id: string; type: string }>(`
      SELECT e.data->>'keyId' AS id, e.type FROM events e WHERE e.type = 'KeyCreated'
         AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = (e.data->>'keyId')::uuid)
      UNION ALL
      SELECT e.data->>'userId', e.type FROM events e WHERE e.type = 'UserCreated'
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = (e.data->>'userId')::uuid)
      UNION ALL
      SELECT e.data->>'companyId', e.type FROM events e WHERE e.type = 'CompanyCreated'
         AND NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = (e.data->>'companyId')::uuid)`);
    for (const m of missing) out.push(`${m.type} ${m.id} has no read-model row`);
    const orphans = await this.q<{ id: string; tbl: string }>(`
      SELECT k.id::text, 'api_keys' AS tbl FROM api_keys k
       WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'key-' || k.id::text AND e.type = 'KeyCreated')
      UNION ALL
      SELECT u.id::text, 'users' FROM users u
       WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'user-' || u.id::text AND e.type = 'UserCreated')
      UNION ALL
      SELECT c.id::text, 'companies' FROM companies c
       WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'company-' || c.id::text AND e.type = 'CompanyCreated')`);
    for (const o of orphans) out.push(`${o.tbl} row ${o.id} has no creation event`);
    out.push(...(await this.versionMismatches()));
    const state = await this.projectionState();
    if (state.checkpoint !== state.last) out.push(`projector checkpoint ${state.checkpoint} is not the last event ${state.last}`);
    return out;
  }

  async snapshot(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const t of READ_MODELS) {
      out[t] = (await this.q<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${t} t ORDER BY id`)).map((r) => r.row);
    }
    return out;
  }

  /**
   * The live read model against `keyward projections rebuild`: snapshot, rebuild, snapshot, equal.
   * Run on a quiet system; if an event slipped in meanwhile, start over (bounded). When they differ,
   * the live read model is put back afterwards, so what runs next tests its own fault.
   */
  async rebuildDifferences(what: string): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      const head = await this.quiesce(what);
      const before = await this.snapshot();
      const [checkpoint] = await this.q<{ transaction_id: string; position: string }>(
        `SELECT transaction_id::text AS transaction_id, position FROM projection_checkpoints WHERE name = 'read-models'`,
      );
      const run = await this.cli(['projections', 'rebuild']);
      const after = await this.snapshot();
      if ((await this.projectionState()).head !== head) {
        if (attempt < 3) continue;
        return [`the log kept moving during the rebuild comparison (head ${head})`];
      }
      const out: string[] = [];
      // the rebuild replays the whole log and sets the projector's checkpoint to its last event in reader order
      const rebuiltTo = `${run.checkpoint?.transactionId}/${run.checkpoint?.position}`;
      const { last } = await this.projectionState();
      if (rebuiltTo !== last) out.push(`the rebuild set the projector's checkpoint to ${rebuiltTo} (transaction/position), the last event in reader order is ${last} (head ${head})`);
      const [events] = await this.q<{ n: number }>('SELECT count(*)::int AS n FROM events');
      if (run.applied !== events.n) out.push(`the rebuild applied ${run.applied} events, the log holds ${events.n}`);
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
        await this.restoreReadModel(before, checkpoint);
        out.push('(the live read model was restored after this comparison)');
      }
      return out;
    }
  }

  /** Puts back a snapshot of the read models and the projector's checkpoint, under the projector's lock (held meanwhile). */
  private async restoreReadModel(rows: Record<string, string[]>, checkpoint: { transaction_id: string; position: string }): Promise<void> {
    const client = await this.pool!.connect();
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
}
