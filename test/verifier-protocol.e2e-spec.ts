import { randomUUID } from 'node:crypto';
import { BootstrapCommand, BootstrapResult } from '@keyward/keys';
import { CommandBus } from '@nestjs/cqrs';
import { Stack, call, startStack } from './support/stack';

/** The Keyward side of docs/verifier-protocol.md: leases, the change stream, acks, verify without recording, usage, quota. */

interface SseEvent {
  event: string;
  data: any;
}

/** A Server-Sent Events reader over a plain fetch body. */
class SseReader {
  private buffer = '';
  private readonly events: SseEvent[] = [];
  private waiting: ((e: SseEvent | null) => void) | null = null;
  private done = false;
  private readonly decoder = new TextDecoder();

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.buffer += this.decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, cut);
          this.buffer = this.buffer.slice(cut + 2);
          const lines = block.split('\n').filter((l) => !l.startsWith(':'));
          if (lines.length === 0) continue;
          const name = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          this.push({ event: name, data: data === undefined ? undefined : JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
    this.done = true;
    this.waiting?.(null);
  }

  private push(e: SseEvent): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(e);
    } else this.events.push(e);
  }

  /** The next event; null once the stream ended. */
  next(): Promise<SseEvent | null> {
    const e = this.events.shift();
    if (e) return Promise.resolve(e);
    if (this.done) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Every event until one satisfies `until` (included). */
  async readUntil(until: (e: SseEvent) => boolean): Promise<SseEvent[]> {
    const seen: SseEvent[] = [];
    for (;;) {
      const e = await this.next();
      if (!e) throw new Error(`stream ended after ${JSON.stringify(seen.map((s) => s.event))}`);
      seen.push(e);
      if (until(e)) return seen;
    }
  }
}

async function openStream(url: string, key: string, signal?: AbortSignal) {
  const res = await fetch(`${url}/v1/verifiers/stream`, { headers: { 'x-api-key': key }, signal });
  return { res, sse: res.body ? new SseReader(res.body.getReader()) : null };
}

/** A promise whose state a test can look at without waiting. */
function track<T>(p: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  void p.then((v) => {
    state.settled = true;
    state.value = v;
  });
  return { state, promise: p };
}

async function createKey(stack: Stack, adminKey: string, body: Record<string, unknown>) {
  const created = await call(stack.url, 'POST', '/v1/keys', { key: adminKey, body });
  expect(created.status).toBe(201);
  return created.body as { id: string; key: string };
}

async function keyUsedCount(stack: Stack, keyId: string): Promise<number> {
  const rows = await stack.sql.query(`SELECT count(*)::int AS n FROM events WHERE type = 'KeyUsed' AND data->>'keyId' = $1`, [keyId]);
  return rows[0].n;
}

async function head(stack: Stack): Promise<number> {
  return Number((await stack.sql.query('SELECT coalesce(max(seq), 0) AS seq FROM auth_changes'))[0].seq);
}

describe('verifier protocol', () => {
  let stack: Stack;
  let other: BootstrapResult;
  let service: { id: string; key: string };

  beforeAll(async () => {
    stack = await startStack();
    other = (await stack.api
      .get(CommandBus)
      .execute(new BootstrapCommand({ companyName: 'Other', adminEmail: 'o@other.test', adminName: 'O', firstOnly: false })))!;
    service = await createKey(stack, stack.admin.key, { name: 'invoices service', permissions: ['keys:verify'] });
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('the change stream', () => {
    it('needs keys:verify', async () => {
      const bare = await createKey(stack, stack.admin.key, { name: 'bare', permissions: ['keys:read'] });
      const res = await call(stack.url, 'GET', '/v1/verifiers/stream', { key: bare.key });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('INSUFFICIENT_PERMISSIONS');
    });

    it('says hello with a lease of the company at the head, then heads; when the client goes the lease is ended (no more acks) but still waited for until it lapses', async () => {
      const abort = new AbortController();
      const { res, sse } = await openStream(stack.url, service.key, abort.signal);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const hello = (await sse!.next())!;
      expect(hello.event).toBe('hello');
      expect(hello.data).toEqual({ verifierId: expect.any(String), leaseMs: stack.config.authCache.leaseMs, head: await head(stack) });
      const [row] = await stack.sql.query('SELECT company_id, seen_seq FROM auth_instances WHERE instance_id = $1', [hello.data.verifierId]);
      expect(row).toEqual({ company_id: stack.admin.companyId, seen_seq: String(hello.data.head) });
      const next = (await sse!.next())!;
      expect(next).toEqual({ event: 'head', data: { seq: hello.data.head } });

      abort.abort();
      // the server notices the client is gone and marks the lease ended (bounded by the test timeout)
      for (;;) {
        const [ended] = await stack.sql.query('SELECT ended_at IS NOT NULL AS ended, valid_until > clock_timestamp() AS live FROM auth_instances WHERE instance_id = $1', [
          hello.data.verifierId,
        ]);
        if (ended.ended) {
          // not deleted: the verifier may not know yet, so changes still wait for it until it lapses
          expect(ended.live).toBe(true);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const ack = await call(stack.url, 'POST', `/v1/verifiers/${hello.data.verifierId}/ack`, { key: service.key, body: { seq: hello.data.head } });
      expect({ status: ack.status, code: ack.body.code }).toEqual({ status: 410, code: 'VERIFIER_LEASE_LAPSED' });
    });

    it('a verifier that stopped using its cache gives its lease back, and changes stop waiting for it', async () => {
      const abort = new AbortController();
      const { sse } = await openStream(stack.url, service.key, abort.signal);
      const hello = (await sse!.next())!.data;
      expect((await call(stack.url, 'DELETE', `/v1/verifiers/${hello.verifierId}`, { key: service.key })).status).toBe(204);
      expect(await stack.sql.query('SELECT 1 FROM auth_instances WHERE instance_id = $1', [hello.verifierId])).toEqual([]);
      expect((await call(stack.url, 'DELETE', `/v1/verifiers/${hello.verifierId}`, { key: service.key })).status).toBe(404);
      abort.abort();
    });

    it('a revoke of a key of the company returns only once the verifier acked the change', async () => {
      const abort = new AbortController();
      const { sse } = await openStream(stack.url, service.key, abort.signal);
      const hello = (await sse!.next())!.data;
      const victim = await createKey(stack, stack.admin.key, { name: 'victim', permissions: ['keys:read'] });

      const revoke = track(call(stack.url, 'POST', `/v1/keys/${victim.id}/revoke`, { key: stack.admin.key, body: {} }));
      const events = await sse!.readUntil((e) => e.event === 'change');
      const change = events[events.length - 1].data;
      expect(change).toEqual({ seq: expect.any(Number), keyIds: [victim.id], ownerIds: [], wholeCompany: false });
      expect(change.seq).toBeGreaterThan(hello.head);

      // renew the lease without claiming the change: the revoke must still be waiting
      const renew = await call(stack.url, 'POST', `/v1/verifiers/${hello.verifierId}/ack`, { key: service.key, body: { seq: hello.head } });
      expect(renew.status).toBe(200);
      expect(renew.body).toEqual({ leaseMs: stack.config.authCache.leaseMs });
      const [row] = await stack.sql.query('SELECT seen_seq, valid_until > clock_timestamp() AS live FROM auth_instances WHERE instance_id = $1', [
        hello.verifierId,
      ]);
      expect(row).toEqual({ seen_seq: String(hello.head), live: true });
      expect(revoke.state.settled).toBe(false);

      const ack = await call(stack.url, 'POST', `/v1/verifiers/${hello.verifierId}/ack`, { key: service.key, body: { seq: change.seq } });
      expect(ack.status).toBe(200);
      expect((await revoke.promise).status).toBe(200);
      abort.abort();
    });

    it("sends another company's change as a head only", async () => {
      const abort = new AbortController();
      const { sse } = await openStream(stack.url, service.key, abort.signal);
      const hello = (await sse!.next())!.data;
      const theirs = await createKey(stack, other.key, { name: 'theirs', permissions: ['keys:read'] });
      // their revoke does not wait for this verifier, which acks nothing
      const revoked = await call(stack.url, 'POST', `/v1/keys/${theirs.id}/revoke`, { key: other.key, body: {} });
      expect(revoked.status).toBe(200);
      const theirSeq = await head(stack);
      expect(theirSeq).toBeGreaterThan(hello.head);
      const events = await sse!.readUntil((e) => e.event === 'head' && e.data.seq >= theirSeq);
      expect(events.map((e) => e.event)).toEqual(events.map(() => 'head'));
      abort.abort();
    });

    it('acks of an unknown verifier or of another company: 404 VERIFIER_NOT_FOUND; a bad seq: 400', async () => {
      const unknown = await call(stack.url, 'POST', `/v1/verifiers/${randomUUID()}/ack`, { key: service.key, body: { seq: 0 } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('VERIFIER_NOT_FOUND');

      const abort = new AbortController();
      const { sse } = await openStream(stack.url, service.key, abort.signal);
      const hello = (await sse!.next())!.data;
      const theirs = await call(stack.url, 'POST', `/v1/verifiers/${hello.verifierId}/ack`, { key: other.key, body: { seq: 0 } });
      expect(theirs.status).toBe(404);
      expect(theirs.body.code).toBe('VERIFIER_NOT_FOUND');
      const bad = await call(stack.url, 'POST', `/v1/verifiers/${hello.verifierId}/ack`, { key: service.key, body: { seq: -1 } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'seq', message: expect.any(String) }]);
      abort.abort();
    });
  });

  describe('verify with record: false', () => {
    it('answers allowedIps, writes no KeyUsed and spends no rate limit', async () => {
      const user = await createKey(stack, stack.admin.key, {
        name: 'customer',
        permissions: ['keys:read'],
        allowedIps: ['203.0.113.0/24'],
        rateLimit: { limit: 1, windowSeconds: 3600 },
      });
      await stack.settleUsage();
      const before = await keyUsedCount(stack, user.id);
      for (let i = 0; i < 3; i++) {
        const res = await call(stack.url, 'POST', '/v1/keys/verify', { key: service.key, body: { key: user.key, ip: '203.0.113.9', record: false } });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ valid: true, code: 'VALID', keyId: user.id, allowedIps: ['203.0.113.0/24'] });
      }
      await stack.settleUsage();
      expect(await keyUsedCount(stack, user.id)).toBe(before);
      // the one request of its window is still there
      const quota = await call(stack.url, 'POST', `/v1/keys/${user.id}/quota`, { key: service.key, body: { want: 5 } });
      expect(quota.body).toMatchObject({ granted: 1, limit: 1, windowSeconds: 3600 });

      // recorded (the default), the key is used and its window spent
      const recorded = await call(stack.url, 'POST', '/v1/keys/verify', { key: service.key, body: { key: user.key, ip: '203.0.113.9' } });
      expect(recorded.body).toMatchObject({ valid: false, code: 'RATE_LIMITED', allowedIps: ['203.0.113.0/24'] });
      await stack.settleUsage();
      expect(await keyUsedCount(stack, user.id)).toBe(before + 1);
    });

    it("records a refusal with the service's own request when it names it, not the verify call", async () => {
      const user = await createKey(stack, stack.admin.key, { name: 'refused later', permissions: ['keys:read'] });
      await call(stack.url, 'POST', `/v1/keys/${user.id}/revoke`, { key: stack.admin.key, body: {} });
      const request = { method: 'DELETE', route: '/invoices/:id', userAgent: 'billing-app/2.1', requestId: 'svc-req-41' };
      const res = await call(stack.url, 'POST', '/v1/keys/verify', { key: service.key, body: { key: user.key, ip: '198.51.100.7', record: false, request } });
      expect(res.body).toMatchObject({ valid: false, code: 'REVOKED' });
      await stack.settleUsage();
      const [failed] = await stack.sql.query(`SELECT data, metadata FROM events WHERE type = 'AuthenticationFailed' AND data->>'keyId' = $1`, [user.id]);
      expect([failed.data, failed.metadata]).toEqual([
        expect.objectContaining({ reason: 'REVOKED', method: 'DELETE', route: '/invoices/:id', ip: '198.51.100.7', userAgent: 'billing-app/2.1', requestId: 'svc-req-41' }),
        expect.objectContaining({ ip: '198.51.100.7', userAgent: 'billing-app/2.1', requestId: 'svc-req-41' }),
      ]);
    });

    it('refuses a request description that is not one, naming the field', async () => {
      for (const [request, field] of [
        [{ method: 'get', route: '/x' }, 'request.method'],
        [{ method: 'GET' }, 'request.route'],
        [{ method: 'GET', route: '/x', requestId: 'r'.repeat(201) }, 'request.requestId'],
        ['GET /x', 'request'],
      ] as const) {
        const res = await call(stack.url, 'POST', '/v1/keys/verify', { key: service.key, body: { key: service.key, record: false, request } });
        expect([res.status, res.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, [field]]);
      }
    });

    it('refuses a record that is not a boolean', async () => {
      const res = await call(stack.url, 'POST', '/v1/keys/verify', { key: service.key, body: { key: service.key, record: 'no' } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'record', message: expect.any(String) }]);
    });
  });

  describe('POST /v1/usage', () => {
    const use = (keyId: string, extra: Record<string, unknown> = {}) => ({
      eventId: randomUUID(),
      keyId,
      method: 'GET',
      route: '/invoices/:id',
      status: 200,
      ip: '203.0.113.7',
      userAgent: 'curl/8',
      requestId: 'r-1',
      durationMs: 3.5,
      occurredAt: new Date().toISOString(),
      ...extra,
    });

    it('appends exactly one KeyUsed per record, and nothing twice on a retry', async () => {
      const user = await createKey(stack, stack.admin.key, { name: 'reported', permissions: ['keys:read'] });
      const batch = { records: [use(user.id), use(user.id), use(user.id)] };
      const first = await call(stack.url, 'POST', '/v1/usage', { key: service.key, body: batch });
      expect(first.status).toBe(202);
      expect(first.body).toEqual({ appended: 3 });
      // committed before the answer: no flush or worker needed to count them
      expect(await keyUsedCount(stack, user.id)).toBe(3);
      const retry = await call(stack.url, 'POST', '/v1/usage', { key: service.key, body: batch });
      expect(retry.status).toBe(202);
      expect(retry.body).toEqual({ appended: 3 });
      expect(await keyUsedCount(stack, user.id)).toBe(3);
      const [event] = await stack.sql.query(`SELECT company_id, data FROM events WHERE event_id = $1`, [batch.records[0].eventId]);
      expect(event.company_id).toBe(stack.admin.companyId);
      expect(event.data).toMatchObject({ keyId: user.id, method: 'GET', route: '/invoices/:id', status: 200, ip: '203.0.113.7', durationMs: 3.5 });
    });

    it('takes a full batch of 1000 records with a long User-Agent, beyond the default body limit of other routes', async () => {
      const user = await createKey(stack, stack.admin.key, { name: 'busy', permissions: ['keys:read'] });
      const records = Array.from({ length: 1000 }, () => ({ ...use(user.id), userAgent: `Mozilla/5.0 ${'x'.repeat(200)}` }));
      expect(Buffer.byteLength(JSON.stringify({ records }))).toBeGreaterThan(64 * 1024);
      const res = await call(stack.url, 'POST', '/v1/usage', { key: service.key, body: { records } });
      expect({ status: res.status, body: res.body }).toEqual({ status: 202, body: { appended: 1000 } });
      expect(await keyUsedCount(stack, user.id)).toBe(1000);
    });

    it("refuses a key of another company with 422 naming it, and appends nothing", async () => {
      const mine = await createKey(stack, stack.admin.key, { name: 'mine', permissions: ['keys:read'] });
      const theirs = await createKey(stack, other.key, { name: 'theirs too', permissions: ['keys:read'] });
      const res = await call(stack.url, 'POST', '/v1/usage', { key: service.key, body: { records: [use(mine.id), use(theirs.id)] } });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ field: 'records[1].keyId', message: expect.any(String) }]);
      expect(await keyUsedCount(stack, mine.id)).toBe(0);
      expect(await keyUsedCount(stack, theirs.id)).toBe(0);
    });

    it('refuses a bad record naming its field, and appends nothing', async () => {
      const mine = await createKey(stack, stack.admin.key, { name: 'mine 2', permissions: ['keys:read'] });
      const old = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
      const cases: [unknown, string][] = [
        [{ records: [use(mine.id), use(mine.id, { occurredAt: old })] }, 'records[1].occurredAt'],
        [{ records: [use(mine.id, { status: 42 })] }, 'records[0].status'],
        [{ records: [use(mine.id, { eventId: 'x' })] }, 'records[0].eventId'],
        [{ records: [use(mine.id, { keyId: 'not-a-uuid' })] }, 'records[0].keyId'],
        [{ records: [use(mine.id), use(mine.id, { method: 'get' })] }, 'records[1].method'],
        [{ records: [use(mine.id, { route: '' })] }, 'records[0].route'],
        [{ records: [use(mine.id, { ip: '256.0.0.1' })] }, 'records[0].ip'],
        [{ records: [use(mine.id, { userAgent: null })] }, 'records[0].userAgent'],
        [{ records: [use(mine.id, { requestId: 'r'.repeat(201) })] }, 'records[0].requestId'],
        [{ records: [use(mine.id, { durationMs: '3' })] }, 'records[0].durationMs'],
        [{ records: [use(mine.id, { occurredAt: 'yesterday' })] }, 'records[0].occurredAt'],
        [{ records: [use(mine.id, { extra: true })] }, 'records[0].extra'],
        [{ records: [] }, 'records'],
      ];
      for (const [body, field] of cases) {
        const res = await call(stack.url, 'POST', '/v1/usage', { key: service.key, body });
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      }
      const twice = use(mine.id);
      const dup = await call(stack.url, 'POST', '/v1/usage', { key: service.key, body: { records: [twice, { ...twice }] } });
      expect(dup.status).toBe(400);
      expect(dup.body.errors).toEqual([{ field: 'records[1].eventId', message: expect.any(String) }]);
      expect(await keyUsedCount(stack, mine.id)).toBe(0);
    });
  });

  describe('POST /v1/keys/:id/quota', () => {
    it('concurrent takes never grant more than the limit in total', async () => {
      const user = await createKey(stack, stack.admin.key, { name: 'hot', permissions: ['keys:read'], rateLimit: { limit: 50, windowSeconds: 3600 } });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => call(stack.url, 'POST', `/v1/keys/${user.id}/quota`, { key: service.key, body: { want: 7 } })),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(answers.reduce((sum, a) => sum + a.body.granted, 0)).toBe(50);
      expect(answers[0].body).toMatchObject({ limit: 50, windowSeconds: 3600, resetSeconds: expect.any(Number) });
    });

    it("Keyward's own guard spends the same window", async () => {
      const user = await createKey(stack, stack.admin.key, { name: 'shared', permissions: ['keys:read'], rateLimit: { limit: 10, windowSeconds: 3600 } });
      for (let i = 0; i < 3; i++) expect((await call(stack.url, 'GET', '/v1/me', { key: user.key })).status).toBe(200);
      const take = await call(stack.url, 'POST', `/v1/keys/${user.id}/quota`, { key: service.key, body: { want: 100 } });
      expect(take.status).toBe(200);
      expect(take.body).toMatchObject({ granted: 7, limit: 10 });
      // and what the service took, the guard no longer has
      const me = await call(stack.url, 'GET', '/v1/me', { key: user.key });
      expect(me.status).toBe(429);
      const none = await call(stack.url, 'POST', `/v1/keys/${user.id}/quota`, { key: service.key, body: { want: 1 } });
      expect(none.body).toMatchObject({ granted: 0 });
    });

    it('a key of another company is 404; want out of range is 400', async () => {
      const theirs = await createKey(stack, other.key, { name: 'theirs 3', permissions: ['keys:read'] });
      const res = await call(stack.url, 'POST', `/v1/keys/${theirs.id}/quota`, { key: service.key, body: { want: 1 } });
      expect(res.status).toBe(404);
      for (const want of [0, 10_001, 1.5, '3']) {
        const bad = await call(stack.url, 'POST', `/v1/keys/${theirs.id}/quota`, { key: service.key, body: { want } });
        expect({ want, status: bad.status, fields: bad.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ want, status: 400, fields: ['want'] });
      }
    });
  });
});

describe('verifier leases that lapse', () => {
  let stack: Stack;
  let service: { id: string; key: string };

  beforeAll(async () => {
    stack = await startStack({ INSTANCE_LEASE_MS: '1500' });
    service = await createKey(stack, stack.admin.key, { name: 'invoices service', permissions: ['keys:verify'] });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('a verifier that stops acking holds a revoke only until its lease lapsed; its ack is then 410', async () => {
    const abort = new AbortController();
    const { sse } = await openStream(stack.url, service.key, abort.signal);
    const hello = (await sse!.next())!.data;
    const victim = await createKey(stack, stack.admin.key, { name: 'victim', permissions: ['keys:read'] });
    const revoked = await call(stack.url, 'POST', `/v1/keys/${victim.id}/revoke`, { key: stack.admin.key, body: {} });
    expect(revoked.status).toBe(200);
    const [row] = await stack.sql.query(
      'SELECT seen_seq, valid_until <= clock_timestamp() AS lapsed FROM auth_instances WHERE instance_id = $1',
      [hello.verifierId],
    );
    expect(row).toEqual({ seen_seq: String(hello.head), lapsed: true });
    const ack = await call(stack.url, 'POST', `/v1/verifiers/${hello.verifierId}/ack`, { key: service.key, body: { seq: hello.head } });
    expect(ack.status).toBe(410);
    expect(ack.body.code).toBe('VERIFIER_LEASE_LAPSED');
    abort.abort();
  });

  it('ends open streams when the server stops, and the server closes', async () => {
    const { sse } = await openStream(stack.url, service.key);
    expect((await sse!.next())!.event).toBe('hello');
    const closed = stack.close();
    let last: unknown;
    for (;;) {
      const e = await sse!.next();
      if (e === null) break;
      last = e;
    }
    expect(last === undefined || (last as SseEvent).event === 'head').toBe(true);
    await closed;
    stack = undefined as unknown as Stack;
  });
});
