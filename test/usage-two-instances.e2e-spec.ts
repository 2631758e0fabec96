import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { generateKey } from '@keyward/auth';
import { findFreePort } from '@keyward/embedded';
import { QueueName, openQueue } from '@keyward/queue';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { RunningProcess, processEnv, redactKeys, runCliJson, startProcess } from './support/processes';

/**
 * Usage series across two API instances (issue 13): two API processes (A and B) and two workers
 * on one database and one Redis prefix, built from dist/. A concurrent load of mixed outcomes is
 * spread over A and B — 2xx, 304, 400s, 403s, 404s, 429s of a rate-limited key, 502s (the central
 * service is down: PUT /v1/system/central with CENTRAL_URL on a closed port, a real 5xx without
 * mocks), and keys refused as revoked, expired, from the wrong address, of a disabled owner and
 * unknown. Then both instances' usage buffers drain (their /metrics say 0), the usage queue
 * empties and the projector reaches the end of the log, and:
 *
 * - every request the test sent is in the log exactly once (its X-Request-Id once, no other);
 * - for each key and for the company, at minute, hour and day, the buckets GET /v1/keys/:id/usage
 *   and GET /v1/usage answer on A and on B (total, byStatus, refused), bucket by bucket, and the
 *   company's refusedByReason, equal the counts of the KeyUsed / AuthenticationFailed events;
 * - their sums equal what the test sent and saw answered, key by key, status class by status class.
 *
 * Keys and the shared secret never reach the output: failure messages go through redactKeys().
 */

const CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
type StatusClass = (typeof CLASSES)[number];
const GRANULARITIES = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
type Granularity = keyof typeof GRANULARITIES;

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}
interface Counts {
  total: number;
  byStatus: Record<StatusClass, number>;
  refused: number;
}
interface Sent {
  label: string;
  requestId: string;
  status: number;
  refused: boolean;
}
interface Key {
  label: string;
  id: string | null;
  key: string;
  /** Every request with it is refused at authentication (AuthenticationFailed, not KeyUsed). */
  refused: boolean;
}
interface UsageEvent {
  type: 'KeyUsed' | 'AuthenticationFailed';
  keyId: string | null;
  companyId: string | null;
  status: number;
  reason: string | null;
  requestId: string | null;
  at: number;
}

let db: TestDatabase;
let sql: Client;
let usageQueue: Queue;
let A: RunningProcess;
let B: RunningProcess;
let workers: RunningProcess[] = [];
let processes: RunningProcess[] = [];
let companyId: string;
const keys = new Map<string, Key>();
/** Every request the test sent with a key, and its answer: what the series must count. */
const sent: Sent[] = [];
const startedAt = Date.now();

const zero = (): Counts => ({ total: 0, byStatus: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, refused: 0 });
const classOf = (status: number) => `${Math.floor(status / 100)}xx` as StatusClass;

async function send(via: RunningProcess, label: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const k = keys.get(label)!;
  const requestId = `u2i-${randomUUID()}`;
  const headers: Record<string, string> = { 'x-api-key': k.key, 'x-request-id': requestId, ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(via.url + path, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  sent.push({ label, requestId, status: res.status, refused: k.refused });
  return { status: res.status, headers: res.headers, body };
}

function expectStatus(reply: Reply, expected: number, what: string): void {
  if (reply.status === expected) return;
  const logs = reply.status >= 500 ? `\nA:\n${A.output().slice(-2000)}\nB:\n${B.output().slice(-2000)}` : '';
  throw new Error(`${what}: expected ${expected}, got ${reply.status} ${redactKeys(JSON.stringify(reply.body))}${logs}`);
}

async function createKey(label: string, body: Record<string, unknown>, refused = false): Promise<Key> {
  const reply = await send(A, 'admin', 'POST', '/v1/keys', { body: { name: `usage ${label}`, ...body } });
  expectStatus(reply, 201, `POST /v1/keys (${label})`);
  const k = { label, id: reply.body.id as string, key: reply.body.key as string, refused };
  keys.set(label, k);
  return k;
}

/** One Prometheus sample of an instance, e.g. keyward_usage_buffer_size. */
async function metric(instance: RunningProcess, name: string): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.slice(name.length + 1));
}

const checkpoint = async () =>
  (await sql.query<{ tx: string; position: string }>(`SELECT transaction_id::text AS tx, position::text FROM projection_checkpoints WHERE name = 'read-models'`)).rows[0];

/**
 * Both instances' buffers handed over, the usage queue empty, and the projector at the end of the
 * log (bounded polls for each state, in that order).
 */
async function drainUsage(): Promise<void> {
  const deadline = Date.now() + 30_000;
  let state = '';
  for (;;) {
    const buffers = await Promise.all([A, B].map((i) => metric(i, 'keyward_usage_buffer_size')));
    const jobs = await usageQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const cp = await checkpoint();
    const behind = (
      await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)`, [cp.tx, cp.position])
    ).rows[0].n;
    state = `buffers A ${buffers[0]}, B ${buffers[1]}; usage jobs ${JSON.stringify(jobs)}; ${behind} events not projected`;
    if (buffers.every((n) => n === 0) && Object.values(jobs).every((n) => n === 0) && behind === 0) return;
    if (Date.now() > deadline) throw new Error(`usage did not drain in 30 s: ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The usage events of the log up to a checkpoint. */
async function usageEvents(upTo: { tx: string; position: string }): Promise<UsageEvent[]> {
  const { rows } = await sql.query(
    `SELECT type, data->>'keyId' AS "keyId", company_id AS "companyId", (data->>'status')::int AS status, data->>'reason' AS reason,
            data->>'requestId' AS "requestId", occurred_at AS at
       FROM events WHERE type IN ('KeyUsed', 'AuthenticationFailed') AND (transaction_id, position) <= ($1::text::xid8, $2::bigint)`,
    [upTo.tx, upTo.position],
  );
  return rows.map((r) => ({ ...r, at: (r.at as Date).getTime() }));
}

/** The events' counts per bucket start (ISO), as the projection is meant to keep them. */
function bucketsOf(events: UsageEvent[], granularity: Granularity): Map<string, Counts> {
  const step = GRANULARITIES[granularity];
  const out = new Map<string, Counts>();
  for (const e of events) {
    const start = new Date(Math.floor(e.at / step) * step).toISOString();
    const c = out.get(start) ?? zero();
    c.total++;
    if (e.type === 'AuthenticationFailed') c.refused++;
    else c.byStatus[classOf(e.status)]++;
    out.set(start, c);
  }
  return out;
}

/** A route's dense buckets without the empty ones, keyed like bucketsOf(). */
function nonEmpty(buckets: ({ start: string } & Counts)[]): Map<string, Counts> {
  return new Map(buckets.filter((b) => b.total > 0).map(({ start, total, byStatus, refused }) => [new Date(start).toISOString(), { total, byStatus, refused }]));
}

function sum(buckets: Iterable<Counts>): Counts {
  const out = zero();
  for (const b of buckets) {
    out.total += b.total;
    out.refused += b.refused;
    for (const c of CLASSES) out.byStatus[c] += b.byStatus[c];
  }
  return out;
}

/** What the test sent with these keys, counted from the answers it received. */
function sentCounts(labels: string[]): Counts {
  const out = zero();
  for (const s of sent.filter((x) => labels.includes(x.label))) {
    out.total++;
    if (s.refused) out.refused++;
    else out.byStatus[classOf(s.status)]++;
  }
  return out;
}

/**
 * A route's answer and the log as of the same projector checkpoint: the reader's own requests
 * keep adding usage while the test reads, so this retries until no batch was projected between.
 */
async function consistent(read: () => Promise<Reply>): Promise<[Reply, UsageEvent[]]> {
  for (let attempt = 0; ; attempt++) {
    const before = await checkpoint();
    const answer = await read();
    const after = await checkpoint();
    if (before.tx === after.tx && before.position === after.position) return [answer, await usageEvents(before)];
    if (attempt > 30) throw new Error('the projector never stood still');
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url });
  // the central service is down: nothing listens on this port, so PUT /v1/system/central is a 502
  const env = processEnv(config, { CENTRAL_URL: `http://127.0.0.1:${await findFreePort()}`, CENTRAL_TIMEOUT_MS: '2000' });
  const boot = await runCliJson<{ created: boolean; companyId: string; key: string }>(['bootstrap', '--json'], env);
  if (boot.created !== true || typeof boot.key !== 'string') throw new Error('bootstrap --json did not create a company');
  companyId = boot.companyId;
  keys.set('admin', { label: 'admin', id: null, key: boot.key, refused: false });
  // every process that started is kept for afterAll, even when another one did not
  const started = await Promise.allSettled([startProcess('api', env), startProcess('api', env), startProcess('worker', env), startProcess('worker', env)]);
  processes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  [A, B, ...workers] = processes;
  const meId = await fetch(`${A.url}/v1/me`, { headers: { 'x-api-key': boot.key } }).then((r) => r.json());
  keys.get('admin')!.id = meId.keyId;
  sent.push({ label: 'admin', requestId: 'untracked', status: 200, refused: false });
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  usageQueue = openQueue(config, QueueName.Usage);
}, 180_000);

afterAll(async () => {
  await usageQueue?.close();
  await sql?.end();
  await Promise.all(processes.map((p) => p.stop()));
  await db?.drop();
}, 60_000);

describe('usage series across two API instances', () => {
  it('a mixed concurrent load over A and B: every request counted once, the buckets equal the events and the load', async () => {
    // an expiring key first: it is refused as EXPIRED once its instant passed, whatever the worker does
    const expiresAt = Date.now() + 4_000;
    await createKey('expired', { permissions: ['keys:read'], expiresAt: new Date(expiresAt).toISOString() }, true);
    await createKey('alpha', { permissions: ['keys:read', 'keys:write'] });
    await createKey('beta', { permissions: ['keys:read'] });
    await createKey('limited', { permissions: ['keys:read'], rateLimit: { limit: 5, windowSeconds: 3600 } });
    await createKey('wrongIp', { permissions: ['keys:read'], allowedIps: ['203.0.113.7'] }, true);
    const revoked = await createKey('revoked', { permissions: ['keys:read'] }, true);
    expectStatus(await send(B, 'admin', 'POST', `/v1/keys/${revoked.id}/revoke`, { body: { reason: 'usage test' } }), 200, 'revoke');
    const owner = await send(A, 'admin', 'POST', '/v1/users', { body: { email: 'owner@usage.test', name: 'Owner', role: 'READONLY' } });
    expectStatus(owner, 201, 'POST /v1/users');
    await createKey('ownerDisabled', { role: 'READONLY', ownerId: owner.body.id }, true);
    expectStatus(await send(B, 'admin', 'PATCH', `/v1/users/${owner.body.id}`, { body: { disabled: true } }), 200, 'disable the owner');
    keys.set('unknown', { label: 'unknown', id: null, key: generateKey().key, refused: true });
    // the shared secret signs calls to the central service: without it the PUT would be a 409
    expectStatus(await send(A, 'admin', 'POST', '/v1/shared-secret/rotate', { body: {} }), 201, 'POST /v1/shared-secret/rotate');
    // alpha's /v1/me and its validator: the same answer sent with If-None-Match is a 304
    const etag = (await send(A, 'alpha', 'GET', '/v1/me')).headers.get('etag');
    expect(etag).toBeTruthy();
    const missing = randomUUID();
    while (Date.now() <= expiresAt) await new Promise((r) => setTimeout(r, 50));

    const plan: [label: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> }, times: number][] = [
      ['alpha', 'GET', '/v1/me', {}, 50],
      ['alpha', 'GET', '/v1/keys?limit=5', {}, 20],
      // (fetch adds Cache-Control: no-cache to a conditional request unless it has one: that would ask for a 200)
      ['alpha', 'GET', '/v1/me', { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } }, 20],
      ['alpha', 'POST', '/v1/keys', { body: { name: '' } }, 20],
      ['alpha', 'GET', `/v1/keys/${missing}`, {}, 20],
      ['alpha', 'GET', '/v1/users', {}, 15],
      ['beta', 'GET', '/v1/me', {}, 40],
      ['beta', 'GET', '/v1/keys/not-a-uuid/usage', {}, 15],
      ['admin', 'GET', '/v1/me', {}, 10],
      ['admin', 'PUT', '/v1/system/central', { body: { apiKey: 'central-key-for-a-service-that-is-down' } }, 6],
      ['limited', 'GET', '/v1/me', {}, 30],
      ['revoked', 'GET', '/v1/me', {}, 20],
      ['expired', 'GET', '/v1/me', {}, 20],
      ['wrongIp', 'GET', '/v1/me', {}, 20],
      ['ownerDisabled', 'GET', '/v1/me', {}, 15],
      ['unknown', 'GET', '/v1/me', {}, 20],
    ];
    // interleaved (a fixed shuffle), alternating instances, 16 at a time
    const load = plan.flatMap(([label, method, path, init, times]) => Array.from({ length: times }, () => ({ label, method, path, init })));
    for (let i = load.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [load[i], load[j]] = [load[j], load[i]];
    }
    const first = sent.length;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < load.length) {
          const n = next++;
          const r = load[n];
          await send(n % 2 === 0 ? A : B, r.label, r.method, r.path, { ...r.init });
        }
      }),
    );
    const statuses = new Map<string, number>();
    for (const s of sent.slice(first)) statuses.set(`${s.label} ${s.status}`, (statuses.get(`${s.label} ${s.status}`) ?? 0) + 1);
    const seen = Object.fromEntries([...statuses].sort());
    // the outcomes asked for were produced (exact counts where the load decides them)
    expect(seen).toMatchObject({
      'alpha 200': 70,
      'alpha 304': 20,
      'alpha 400': 20,
      'alpha 404': 20,
      'alpha 403': 15,
      'beta 200': 40,
      'beta 400': 15,
      'admin 200': 10,
      'admin 502': 6,
    });
    expect(seen['limited 429']).toBeGreaterThan(0);
    for (const label of ['revoked', 'expired', 'wrongIp', 'ownerDisabled', 'unknown']) {
      // 401, or 429 once the address sent too many refused keys: refused either way
      expect([label, sent.slice(first).filter((s) => s.label === label && s.status !== 401 && s.status !== 429)]).toEqual([label, []]);
    }

    // the reader is a key of its own, so its requests (counted as it reads) add nothing to the load's keys
    await createKey('reader', { permissions: ['keys:read'] });
    const drained = Date.now();
    await drainUsage();
    if (process.env.KEYWARD_E2E_REPORT) console.info(`load: ${load.length} requests over A and B, drained in ${Date.now() - drained} ms; answers by key: ${JSON.stringify(seen)}`);
    const failed = await usageQueue.getJobCounts('failed');
    expect(failed).toEqual({ failed: 0 });

    // every request sent is in the log exactly once, under its own request id
    const events = await usageEvents(await checkpoint());
    const tracked = sent.filter((s) => s.requestId !== 'untracked');
    const perRequest = new Map<string, number>();
    for (const e of events) if (e.requestId?.startsWith('u2i-')) perRequest.set(e.requestId, (perRequest.get(e.requestId) ?? 0) + 1);
    expect([...perRequest.values()].filter((n) => n !== 1)).toEqual([]);
    expect(new Set(perRequest.keys())).toEqual(new Set(tracked.map((s) => s.requestId)));
    // each refusal recorded with its reason
    const reasons = (label: string) => {
      const ids = new Set(sent.filter((s) => s.label === label).map((s) => s.requestId));
      return [...new Set(events.filter((e) => e.requestId && ids.has(e.requestId)).map((e) => `${e.type} ${e.reason ?? ''}`.trim()))];
    };
    expect(Object.fromEntries(['revoked', 'expired', 'wrongIp', 'ownerDisabled', 'unknown'].map((l) => [l, reasons(l)]))).toEqual({
      revoked: ['AuthenticationFailed REVOKED'],
      expired: ['AuthenticationFailed EXPIRED'],
      wrongIp: ['AuthenticationFailed FORBIDDEN'],
      ownerDisabled: ['AuthenticationFailed OWNER_DISABLED'],
      unknown: ['AuthenticationFailed NOT_FOUND'],
    });
    // an unknown key names no company: in the log, in no company's series
    const unknownIds = new Set(sent.filter((s) => s.label === 'unknown').map((s) => s.requestId));
    expect(events.filter((e) => e.requestId && unknownIds.has(e.requestId) && e.companyId !== null)).toEqual([]);

    const range = `from=${new Date(startedAt - 120_000).toISOString()}&to=${new Date(Date.now() + 120_000).toISOString()}`;
    const loadKeys = [...keys.values()].filter((k) => k.id !== null && k.label !== 'reader');
    for (const granularity of Object.keys(GRANULARITIES) as Granularity[]) {
      for (const k of loadKeys) {
        for (const via of [A, B]) {
          const [res, log] = await consistent(() => send(via, 'reader', 'GET', `/v1/keys/${k.id}/usage?granularity=${granularity}&${range}`));
          const what = `${k.label} by ${granularity} on ${via === A ? 'A' : 'B'}`;
          expectStatus(res, 200, what);
          const own = log.filter((e) => e.keyId === k.id && e.companyId === companyId);
          const answered = nonEmpty(res.body.buckets);
          expect({ what, buckets: answered }).toEqual({ what, buckets: bucketsOf(own, granularity) });
          expect({ what, counts: sum(answered.values()) }).toEqual({ what, counts: sentCounts([k.label]) });
        }
      }
      for (const via of [A, B]) {
        const [res, log] = await consistent(() => send(via, 'reader', 'GET', `/v1/usage?granularity=${granularity}&${range}`));
        const what = `the company by ${granularity} on ${via === A ? 'A' : 'B'}`;
        expectStatus(res, 200, what);
        const company = log.filter((e) => e.companyId === companyId);
        const answered = nonEmpty(res.body.buckets);
        expect({ what, buckets: answered }).toEqual({ what, buckets: bucketsOf(company, granularity) });
        // the load's requests (every label but the reader's and the unknown key's), plus the reader's as projected
        const readerOwn = sum(bucketsOf(company.filter((e) => e.keyId === keys.get('reader')!.id), granularity).values());
        const load = sentCounts(loadKeys.map((k) => k.label));
        expect({ what, counts: sum(answered.values()) }).toEqual({
          what,
          counts: {
            total: load.total + readerOwn.total,
            byStatus: Object.fromEntries(CLASSES.map((c) => [c, load.byStatus[c] + readerOwn.byStatus[c]])),
            refused: load.refused,
          },
        });
        // refusals by reason: the company's AuthenticationFailed events, and what was sent with each refused key
        const byReason = new Map<string, number>();
        for (const e of company) if (e.type === 'AuthenticationFailed') byReason.set(e.reason!, (byReason.get(e.reason!) ?? 0) + 1);
        const expected = [...byReason].map(([reason, count]) => ({ reason, count })).sort((x, y) => y.count - x.count || (x.reason < y.reason ? -1 : 1));
        expect({ what, refusedByReason: res.body.refusedByReason }).toEqual({ what, refusedByReason: expected });
        expect({ what, sent: Object.fromEntries(expected.map((r) => [r.reason, r.count])) }).toEqual({
          what,
          sent: {
            REVOKED: sentCounts(['revoked']).refused,
            EXPIRED: sentCounts(['expired']).refused,
            FORBIDDEN: sentCounts(['wrongIp']).refused,
            OWNER_DISABLED: sentCounts(['ownerDisabled']).refused,
          },
        });
      }
    }
  }, 120_000);
});
