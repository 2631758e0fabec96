import { Queue } from 'bullmq';
import { Client } from 'pg';
import { QueueName, openQueue } from '@keyward/queue';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { RunningProcess, processEnv, redactKeys, runCliJson, startProcess } from './support/processes';

/**
 * What a stop does to the usage records an API instance holds in memory, with real processes
 * (dist/, `npm run build`): one worker, and API processes whose usage buffer is never flushed by
 * its timer or by size during the test (USAGE_FLUSH_MS and USAGE_BATCH_SIZE at their maxima,
 * 60 s and 10,000 records, far beyond the N requests sent within a few seconds).
 *
 * - SIGTERM (graceful stop, Nest shutdown hooks): every record is handed to the worker and stored,
 *   exactly once: N requests, N KeyUsed events, N distinct request ids.
 * - SIGKILL (kill -9): what was recorded since the last flush is lost. The test asserts that fewer
 *   than N records arrive once the worker has nothing left to do (with these settings: none). It
 *   documents the loss; if an instance ever persisted records on the request path, it would fail.
 *
 * No timing assertions: every wait is a bounded poll for a state, never "nothing happened after
 * X ms". Keys never reach the output: failure messages go through redactKeys().
 */

const N = 200;
/** The largest values the configuration accepts: no flush by the timer or by size in this test. */
const HELD_BACK = { USAGE_FLUSH_MS: '60000', USAGE_BATCH_SIZE: '10000' };
const POLL_LIMIT_MS = 30_000;

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let worker: RunningProcess;
let sql: Client;
let usageQueue: Queue;
let companyId: string;
let adminKey: string;
const apis: RunningProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url });
  env = processEnv(config);
  const boot = await runCliJson<{ created: boolean; companyId: string; key: string }>(['bootstrap', '--json'], env);
  if (boot.created !== true || typeof boot.companyId !== 'string') throw new Error('bootstrap --json did not create a company');
  ({ companyId, key: adminKey } = boot);
  worker = await startProcess('worker', env);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  usageQueue = openQueue(config, QueueName.Usage);
}, 180_000);

afterAll(async () => {
  await Promise.all(apis.map((a) => a.stop()));
  await worker?.stop();
  await usageQueue?.close();
  await sql?.end();
  await db?.drop();
}, 60_000);

/**
 * A key that may read keys but not users (GET /v1/me and /v1/keys answer 200, GET /v1/users 403),
 * created through `api` with the bootstrap key.
 */
async function createKey(api: RunningProcess, name: string): Promise<{ id: string; key: string }> {
  const res = await fetch(`${api.url}/v1/keys`, {
    method: 'POST',
    headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ name, permissions: ['keys:read'] }),
  });
  const body = await res.json();
  if (res.status !== 201 || typeof body?.key !== 'string') {
    throw new Error(`POST /v1/keys answered ${res.status}: ${redactKeys(JSON.stringify(body))}${logs(api)}`);
  }
  return { id: body.id, key: body.key };
}

/** N authenticated requests, 10 at a time, each with its own X-Request-Id `<tag>-<i>`; the statuses, counted. */
async function sendMix(api: RunningProcess, key: string, tag: string): Promise<{ ids: string[]; statuses: Record<number, number> }> {
  const routes = ['/v1/me', '/v1/keys', '/v1/me', '/v1/users']; // 3 × 200, 1 × 403
  const ids: string[] = [];
  const statuses: Record<number, number> = {};
  for (let start = 0; start < N; start += 10) {
    const batch = Array.from({ length: Math.min(10, N - start) }, (_, j) => start + j);
    const replies = await Promise.all(
      batch.map(async (i) => {
        const id = `${tag}-${i}`;
        ids.push(id);
        const res = await fetch(api.url + routes[i % routes.length], { headers: { 'x-api-key': key, 'x-request-id': id } });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    for (const status of replies) statuses[status] = (statuses[status] ?? 0) + 1;
  }
  return { ids, statuses };
}

async function keyUsed(keyId: string): Promise<{ total: number; distinct: number }> {
  const { rows } = await sql.query(
    `SELECT count(*)::int AS total, count(DISTINCT data->>'requestId')::int AS distinct
       FROM events WHERE type = 'KeyUsed' AND company_id = $1 AND data->>'keyId' = $2`,
    [companyId, keyId],
  );
  return rows[0];
}

async function usageQueueCounts(): Promise<Record<string, number>> {
  return usageQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
}

/** Polls `probe` every 100 ms until `done` holds; throws with `explain()` after POLL_LIMIT_MS. */
async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, explain: (last: T) => string): Promise<T> {
  const deadline = Date.now() + POLL_LIMIT_MS;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(explain(value));
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Nothing waiting, running or scheduled in the usage queue: whatever was handed over has been appended. */
async function usageQueueIdle(): Promise<Record<string, number>> {
  return pollUntil(
    usageQueueCounts,
    (c) => c.waiting + c.active + c.delayed + c.prioritized + c['waiting-children'] === 0,
    (c) => `usage queue not idle after ${POLL_LIMIT_MS} ms: ${JSON.stringify(c)}\nworker:\n${worker.output().slice(-3000)}`,
  );
}

function logs(api: RunningProcess): string {
  return `\napi:\n${api.output().slice(-3000)}\nworker:\n${worker.output().slice(-3000)}`;
}

it('a graceful stop (SIGTERM) hands over every buffered usage record: exactly N KeyUsed events, N distinct request ids', async () => {
  const api = await startProcess('api', { ...env, ...HELD_BACK });
  apis.push(api);
  const key = await createKey(api, 'graceful-stop');
  const sent = await sendMix(api, key.key, 'graceful');
  expect(sent.statuses).toEqual({ 200: (3 * N) / 4, 403: N / 4 });

  await api.stop(); // SIGTERM; resolves once the process has exited

  await pollUntil(
    () => keyUsed(key.id),
    (c) => c.total >= N,
    (c) => `after the graceful stop, ${c.total} of ${N} KeyUsed events stored within ${POLL_LIMIT_MS} ms${redactKeys(logs(api))}`,
  );
  // nothing left that could still add a duplicate
  expect((await usageQueueIdle()).failed).toBe(0);
  const final = await keyUsed(key.id);
  expect(final).toEqual({ total: N, distinct: N });

  const { rows } = await sql.query(
    `SELECT data->>'requestId' AS id, (data->>'status')::int AS status, data->>'route' AS route
       FROM events WHERE type = 'KeyUsed' AND company_id = $1 AND data->>'keyId' = $2`,
    [companyId, key.id],
  );
  expect(rows.map((r: { id: string }) => r.id).sort()).toEqual([...sent.ids].sort());
  const byStatus: Record<number, number> = {};
  for (const r of rows as { status: number }[]) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  expect(byStatus).toEqual(sent.statuses);
  expect(rows.find((r: { id: string }) => r.id === 'graceful-3')).toMatchObject({ route: '/v1/users', status: 403 });
}, 120_000);

it('kill -9 loses the records buffered since the last flush (here: all of them, as USAGE_FLUSH_MS is 60 s)', async () => {
  const api = await startProcess('api', { ...env, ...HELD_BACK });
  apis.push(api);
  const key = await createKey(api, 'killed');
  const sent = await sendMix(api, key.key, 'killed');
  expect(sent.statuses).toEqual({ 200: (3 * N) / 4, 403: N / 4 });

  api.kill('SIGKILL');
  await api.exited;

  // Bounded wait for a state, not a sleep: once the usage queue is idle, every batch this instance
  // handed over before it died has been appended; a dead process hands over nothing more.
  await usageQueueIdle();
  const stored = await keyUsed(key.id);
  expect(stored.total).toBeLessThan(N);
  // not vacuous: the worker still appends. A witness instance with the default flush interval
  // (flushed by its timer while it runs, independent of any stop) gets its one request stored.
  const witness = await startProcess('api', env);
  apis.push(witness);
  const other = await createKey(witness, 'witness');
  const res = await fetch(`${witness.url}/v1/me`, { headers: { 'x-api-key': other.key, 'x-request-id': 'witness-0' } });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  await pollUntil(
    () => keyUsed(other.id),
    (c) => c.total === 1,
    (c) => `witness request not stored (${c.total})${redactKeys(logs(witness))}`,
  );
  await witness.stop();
  expect((await keyUsed(key.id)).total).toBe(stored.total);
}, 120_000);
