import { CommandBus } from '@nestjs/cqrs';
import { computeEventHash } from '@keyward/event-store';
import { ExpireKeysCommand } from '@keyward/keys';
import { WorkerMetrics } from '@keyward/observability';
import { verifySignature } from '@keyward/system';
import { Stack, call, startStack } from './support/stack';
import { WebhookReceiver, eventually } from './support/webhook-receiver';

const KEY_PATTERN = /kw_[0-9A-Za-z]{49}/;

/**
 * Webhooks (issue 13): signed deliveries to a real HTTP receiver, in log order, at least once,
 * retried while the receiver is away; an audit stream on "*"; bad input and non-public targets refused.
 */
describe('webhooks', () => {
  let s: Stack;
  let admin: string;
  let secret: string;
  const receiver = new WebhookReceiver();
  const companyEventsAfter = async (position: number, types?: string[]) =>
    (
      await s.sql.query(
        `SELECT position FROM events WHERE company_id = $1 AND position > $2 ${types ? 'AND type = ANY($3)' : ''} ORDER BY position`,
        types ? [s.admin.companyId, position, types] : [s.admin.companyId, position],
      )
    ).map((r: { position: string }) => Number(r.position));
  const createWebhook = (body: unknown, key = admin) => call(s.url, 'POST', '/v1/webhooks', { key, body });

  beforeAll(async () => {
    s = await startStack({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_MAX_SECONDS: '1', WEBHOOK_TIMEOUT_MS: '2000' });
    admin = s.admin.key;
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await s?.close();
  });

  it('refuses bad input with the field named, and changes nothing', async () => {
    const before = await s.eventCount();
    const noSecret = await createWebhook({ url: receiver.url, events: ['*'] });
    expect([noSecret.status, noSecret.body.code]).toEqual([409, 'SHARED_SECRET_REQUIRED']);

    const rotated = await call(s.url, 'POST', '/v1/shared-secret/rotate', { key: admin, body: {} });
    expect(rotated.status).toBe(201);
    secret = rotated.body.secret;
    const afterSecret = await s.eventCount();
    expect(afterSecret).toBe(before + 1);

    const cases: [unknown, string][] = [
      [{ url: 'ftp://example.com/x', events: ['*'] }, 'url'],
      [{ url: 'not a url', events: ['*'] }, 'url'],
      [{ url: 'http://user:pw@127.0.0.1:1/x', events: ['*'] }, 'url'],
      [{ url: receiver.url + '#frag', events: ['*'] }, 'url'],
      [{ url: receiver.url, events: [] }, 'events'],
      [{ url: receiver.url, events: ['NoSuchEvent'] }, 'events'],
      [{ url: receiver.url, events: ['*', 'KeyCreated'] }, 'events'],
      [{ url: receiver.url, events: 'KeyCreated' }, 'events'],
      [{ url: receiver.url, events: ['*'], description: 'x'.repeat(501) }, 'description'],
      [{ url: receiver.url, events: ['*'], secret: 'mine' }, 'secret'],
      [{ events: ['*'] }, 'url'],
    ];
    for (const [body, field] of cases) {
      const res = await createWebhook(body);
      expect([res.status, res.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, [field]]);
    }
    const reader = await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'reader', permissions: ['keys:read'] } });
    expect((await createWebhook({ url: receiver.url, events: ['*'] }, reader.body.key)).status).toBe(403);
    expect((await call(s.url, 'GET', '/v1/webhooks/not-a-uuid/deliveries', { key: admin })).body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    expect((await call(s.url, 'DELETE', `/v1/webhooks/${crypto.randomUUID()}`, { key: admin })).status).toBe(404);
    expect(await s.eventCount()).toBe(afterSecret + 1); // the reader key only
    expect((await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body).toEqual({ items: [], nextCursor: null });
  });

  it('delivers every event after its creation, signed, in log order, with position and hash (an audit stream on "*")', async () => {
    const all = await createWebhook({ url: receiver.url, events: ['*'], description: 'SIEM' });
    expect(all.status).toBe(201);
    expect(all.body).toMatchObject({ url: receiver.url, events: ['*'], description: 'SIEM', state: 'active', backlog: 0, lastStatus: null });
    const some = await createWebhook({ url: receiver.url, events: ['KeyCreated', 'KeyRevoked', 'KeyCreated'] });
    expect(some.body.events).toEqual(['KeyCreated', 'KeyRevoked']);
    const start = all.body.deliveredPosition;

    // a mix: writes, authenticated requests, refusals
    const created = await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'integration', permissions: ['keys:read'] } });
    for (let i = 0; i < 5; i++) expect((await call(s.url, 'GET', '/v1/me', { key: created.body.key })).status).toBe(200);
    expect((await call(s.url, 'GET', '/v1/me', { key: 'kw_' + 'x'.repeat(49) })).status).toBe(401);
    await call(s.url, 'POST', `/v1/keys/${created.body.id}/revoke`, { key: admin, body: { reason: 'test' } });
    expect((await call(s.url, 'GET', '/v1/me', { key: created.body.key })).status).toBe(401); // refused: an event of the company
    await s.settleUsage();

    const expected = await companyEventsAfter(start);
    const hookOf = (id: string) => receiver.received.filter((r) => r.headers['keyward-webhook-id'] === id);
    await eventually(() => hookOf(all.body.id).filter((r) => r.body.position <= expected.at(-1)!).length >= expected.length, 'every event delivered');
    const stream = hookOf(all.body.id).filter((r) => r.body.position <= expected.at(-1)!);
    expect(stream.map((r) => r.body.position)).toEqual(expected);
    for (const r of stream) {
      // the signature covers the raw body, with the company's shared secret
      expect(verifySignature(secret, r.raw, r.headers['keyward-signature'] as string)).toEqual({ valid: true, timestamp: expect.any(Number) });
      expect(verifySignature('kwss_another', r.raw, r.headers['keyward-signature'] as string)).toEqual({ valid: false, reason: 'MISMATCH' });
      expect(r.headers['keyward-event-type']).toBe(r.body.type);
      expect(Number(r.headers['keyward-event-position'])).toBe(r.body.position);
      expect(r.headers).toMatchObject({ 'keyward-event-id': r.body.eventId, 'keyward-event-type': r.body.type, 'keyward-delivery-attempt': expect.stringMatching(/^[1-9]\d*$/) });
      // the event as stored: its hash recomputes from what was sent
      expect(computeEventHash({ ...r.body, occurredAt: new Date(r.body.occurredAt) })).toBe(r.body.hash);
      expect(r.raw).not.toMatch(KEY_PATTERN);
      expect(r.raw).not.toContain(secret);
      expect(JSON.stringify(r.headers)).not.toContain(secret);
    }
    // the chain can be followed: each event's prevHash is the hash of the one before it in the log
    for (let i = 1; i < stream.length; i++) {
      if (stream[i].body.position === stream[i - 1].body.position + 1) expect(stream[i].body.prevHash).toBe(stream[i - 1].body.hash);
    }
    // the second webhook's creation is an event of the company too
    expect(new Set(stream.map((r) => r.body.type))).toEqual(new Set(['WebhookCreated', 'KeyCreated', 'KeyUsed', 'AuthenticationFailed', 'KeyRevoked']));

    const filtered = hookOf(some.body.id).map((r) => r.body.position);
    expect(filtered).toEqual(await companyEventsAfter(some.body.deliveredPosition, ['KeyCreated', 'KeyRevoked']));

    // the receiver answers before the dispatcher moves the cursor past what it answered: wait for that
    const summary = async () =>
      (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items.map((w: { id: string; backlog: number; state: string; lastStatus: number }) => [
        w.id,
        w.backlog,
        w.state,
        w.lastStatus,
      ]);
    await eventually(async () => (await summary()).every(([, backlog]: [string, number]) => backlog === 0), 'both cursors past every event');
    expect(await summary()).toEqual([
      [all.body.id, 0, 'active', 200],
      [some.body.id, 0, 'active', 200],
    ]);
    const page = await call(s.url, 'GET', '/v1/webhooks?limit=1', { key: admin });
    const next = await call(s.url, 'GET', `/v1/webhooks?limit=1&cursor=${page.body.nextCursor}`, { key: admin });
    expect([...page.body.items, ...next.body.items].map((w: { id: string }) => w.id)).toEqual([all.body.id, some.body.id]);
    expect(next.body.nextCursor).toBeNull();
  });

  it('a receiver that is down gets everything when it is back, in order; every attempt is logged', async () => {
    const [hook] = (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items;
    const from = hook.deliveredPosition;
    await receiver.stop();
    const names: string[] = [];
    for (let i = 0; i < 12; i++) {
      const k = await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: `while down ${i}`, permissions: ['keys:read'] } });
      names.push(k.body.name);
    }
    await eventually(async () => {
      const [h, other] = (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items;
      // the admin's own requests are KeyUsed events of the company too; the other webhook takes the KeyCreated
      return h.state === 'failing' && h.backlog >= 12 && other.state === 'failing';
    }, 'both webhooks show failing, the first with its backlog');
    // what alerts read: failing webhooks, for how long, and the events waiting
    const gauges = async () => {
      const text = await s.worker.get(WorkerMetrics).registry.metrics();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)![1]);
      return { failing: value('keyward_webhooks_failing'), seconds: value('keyward_webhook_failing_seconds'), backlog: value('keyward_webhook_backlog_events') };
    };
    const down = await gauges();
    expect(down.failing).toBe(2);
    expect(down.seconds).toBeGreaterThan(0);
    expect(down.backlog).toBeGreaterThanOrEqual(24);

    // every failed attempt is at the first event it has not delivered: nothing after it goes first
    const [stuck] = await companyEventsAfter(from);
    const log = await call(s.url, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=5`, { key: admin });
    const failed = log.body.items.filter((d: { ok: boolean }) => !d.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f).toMatchObject({ ok: false, status: null, test: false, position: stuck, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(failed.map((f: { attempt: number }) => f.attempt)).toEqual([...failed.map((f: { attempt: number }) => f.attempt)].sort((a, b) => b - a));

    // back, but answering 503 once: that event is tried again, and nothing after it goes first
    receiver.status = 503;
    await receiver.start();
    await eventually(() => receiver.attempts.some((a) => a.body.position === stuck), 'an attempt reaches the receiver');
    receiver.status = 200;
    await s.settleUsage();
    const expected = await companyEventsAfter(from);
    const ofHook = () => receiver.received.filter((r) => r.headers['keyward-webhook-id'] === hook.id).map((r) => r.body).filter((e) => e.position > from);
    await eventually(() => ofHook().filter((e) => e.position <= expected.at(-1)!).length >= expected.length, 'the backlog delivered');
    expect(ofHook().map((e) => e.position).slice(0, expected.length)).toEqual(expected);
    expect(ofHook().filter((e) => e.type === 'KeyCreated').map((e) => e.data.name)).toEqual(names);
    const retried = receiver.received.find((r) => r.body.position === stuck && r.headers['keyward-webhook-id'] === hook.id)!;
    expect(Number(retried.headers['keyward-delivery-attempt'])).toBeGreaterThan(1);
    // the cursor moves at the end of each round of sends
    await eventually(async () => (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items[0].state === 'active', 'the webhook is active again');
    const after = (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items[0];
    expect([after.state, after.failingSince, after.nextAttemptAt, after.lastStatus, after.lastError]).toEqual(['active', null, null, 200, null]);
    // the other webhook (KeyCreated, KeyRevoked) was failing too: it is active again at its own next retry
    await eventually(async () => (await gauges()).failing === 0, 'no webhook failing in the gauge');

    // the log pages newest first, each attempt once
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await call(s.url, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { key: admin });
      seen.push(...res.body.items.map((d: { id: string }) => d.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    // every attempt up to the newest of the first page (the admin's own requests are events the
    // webhook goes on delivering while the test pages, logged above that one)
    const [{ n }] = await s.sql.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1 AND id <= $2', [hook.id, seen[0]]);
    expect(seen.length).toBe(n);
  });

  it('delivers expiry notices: KeyExpiringSoon a day before a key expires, to a webhook on that type', async () => {
    const notices = await createWebhook({ url: receiver.url, events: ['KeyExpiringSoon'] });
    expect(notices.status).toBe(201);
    const soon = await call(s.url, 'POST', '/v1/keys', {
      key: admin,
      body: { name: 'expires tomorrow', permissions: ['keys:read'], expiresAt: new Date(Date.now() + 20 * 3_600_000).toISOString() },
    });
    expect((await s.worker.get(CommandBus).execute(new ExpireKeysCommand())).noticed).toBe(1);
    const ofNotices = () => receiver.received.filter((r) => r.headers['keyward-webhook-id'] === notices.body.id).map((r) => r.body);
    await eventually(() => ofNotices().length === 1, 'the notice delivered');
    expect(ofNotices()[0]).toMatchObject({ type: 'KeyExpiringSoon', data: { keyId: soon.body.id, name: 'expires tomorrow', expiresAt: soon.body.expiresAt, notice: '1d' } });
    expect((await call(s.url, 'DELETE', `/v1/webhooks/${notices.body.id}`, { key: admin })).status).toBe(204);
  });

  it('during a rotation overlap both secrets sign; with no overlap only the new one', async () => {
    const [hook] = (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items;
    const old = secret;
    const rotated = await call(s.url, 'POST', '/v1/shared-secret/rotate', { key: admin, body: { overlapSeconds: 3600 } });
    expect(rotated.body.previousValidUntil).toEqual(expect.any(String));
    const test = await call(s.url, 'POST', `/v1/webhooks/${hook.id}/test`, { key: admin });
    expect(test.body).toMatchObject({ ok: true, status: 200, error: null });
    const lastTest = () => receiver.received.filter((r) => r.body.type === 'WebhookTest').at(-1)!;
    const sent = lastTest();
    // a test says what it is, and carries no event id or position: it is not in the log
    expect(sent.headers).toMatchObject({ 'keyward-webhook-id': hook.id, 'keyward-event-type': 'WebhookTest', 'keyward-delivery-attempt': '1' });
    expect(sent.headers['keyward-event-id']).toBeUndefined();
    expect(sent.headers['keyward-event-position']).toBeUndefined();
    expect((sent.headers['keyward-signature'] as string).match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(old, sent.raw, sent.headers['keyward-signature'] as string).valid).toBe(true);
    expect(verifySignature(rotated.body.secret, sent.raw, sent.headers['keyward-signature'] as string).valid).toBe(true);

    const atOnce = await call(s.url, 'POST', '/v1/shared-secret/rotate', { key: admin, body: { overlapSeconds: 0 } });
    expect(atOnce.body.previousValidUntil).toBeNull();
    await call(s.url, 'POST', `/v1/webhooks/${hook.id}/test`, { key: admin });
    const last = lastTest();
    expect(last).not.toBe(sent);
    expect(verifySignature(rotated.body.secret, last.raw, last.headers['keyward-signature'] as string).valid).toBe(false);
    expect(verifySignature(atOnce.body.secret, last.raw, last.headers['keyward-signature'] as string).valid).toBe(true);
    secret = atOnce.body.secret;
    const bad = await call(s.url, 'POST', '/v1/shared-secret/rotate', { key: admin, body: { overlapSeconds: -1 } });
    expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'overlapSeconds']);
  });

  it('a test send reports what the receiver answered and is logged as a test; a deleted webhook gets nothing more', async () => {
    const [hook] = (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items;
    receiver.status = 418;
    const refused = await call(s.url, 'POST', `/v1/webhooks/${hook.id}/test`, { key: admin });
    receiver.status = 200;
    expect(refused.body).toMatchObject({ ok: false, status: 418, error: 'answered 418' });
    // the newest test attempt (the webhook goes on delivering the admin's own KeyUsed events beside it)
    const recent = (await call(s.url, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=50`, { key: admin })).body.items;
    expect(recent.find((d: { test: boolean }) => d.test)).toMatchObject({ test: true, ok: false, status: 418, eventType: 'WebhookTest', position: null });

    expect((await call(s.url, 'DELETE', `/v1/webhooks/${hook.id}`, { key: admin })).status).toBe(204);
    expect((await call(s.url, 'DELETE', `/v1/webhooks/${hook.id}`, { key: admin })).status).toBe(404);
    expect((await call(s.url, 'POST', `/v1/webhooks/${hook.id}/test`, { key: admin })).status).toBe(404);
    const [{ position: deletedAt }] = await s.sql.query(`SELECT position::int FROM events WHERE type = 'WebhookDeleted' AND data->>'webhookId' = $1`, [hook.id]);
    await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'after delete', permissions: ['keys:read'] } });
    const others = (await call(s.url, 'GET', '/v1/webhooks', { key: admin })).body.items;
    expect(others.map((w: { id: string }) => w.id)).not.toContain(hook.id);
    await eventually(() => receiver.received.some((r) => r.body.data?.name === 'after delete'), 'the other webhook gets the new key');
    // a round read before the deletion may finish; nothing after the deletion is sent to it
    const sentAfter = receiver.attempts.filter((r) => r.headers['keyward-webhook-id'] === hook.id && r.body.position > deletedAt);
    expect(sentAfter).toEqual([]);
    // its log stays readable; the trail records who created and deleted it
    expect((await call(s.url, 'GET', `/v1/webhooks/${hook.id}/deliveries`, { key: admin })).status).toBe(200);
    const trail = await call(s.url, 'GET', '/v1/audit-events?type=WebhookCreated,WebhookDeleted', { key: admin });
    expect(trail.body.items.map((e: { type: string; actor: { type: string } }) => [e.type, e.actor.type])).toEqual([
      ['WebhookCreated', 'key'],
      ['WebhookCreated', 'key'],
      ['WebhookCreated', 'key'],
      ['WebhookDeleted', 'key'],
      ['WebhookDeleted', 'key'],
    ]);
  });
});

describe('webhook targets without WEBHOOK_ALLOW_PRIVATE', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
    await call(s.url, 'POST', '/v1/shared-secret/rotate', { key: s.admin.key, body: {} });
  });
  afterAll(async () => s?.close());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://10.1.2.3/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://[::1]/hook',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
  ])('refuses %s (422 naming url, nothing written)', async (url) => {
    const before = await s.eventCount();
    const res = await call(s.url, 'POST', '/v1/webhooks', { key: s.admin.key, body: { url, events: ['*'] } });
    expect([res.status, res.body.code, res.body.errors?.[0]?.field]).toEqual([422, 'WEBHOOK_TARGET_REFUSED', 'url']);
    expect(res.body.detail).toMatch(/WEBHOOK_ALLOW_PRIVATE/);
    expect(await s.eventCount()).toBe(before);
  });

  it('a webhook whose target is not allowed when it is delivered gets nothing: the attempt fails, naming why', async () => {
    // as if created while WEBHOOK_ALLOW_PRIVATE was true: its URL is checked again at delivery
    const receiver = new WebhookReceiver();
    await receiver.start();
    try {
      const id = crypto.randomUUID();
      const [{ position }] = await s.sql.query('SELECT max(position)::int AS position FROM events WHERE company_id = $1', [s.admin.companyId]);
      await s.sql.query(`INSERT INTO webhooks (id, company_id, url, events, description, created_at, version) VALUES ($1, $2, $3, '{*}', NULL, now(), 1)`, [
        id,
        s.admin.companyId,
        receiver.url,
      ]);
      await s.sql.query('INSERT INTO webhook_cursors (webhook_id, company_id, delivered_position) VALUES ($1, $2, $3)', [id, s.admin.companyId, position]);
      await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'an event to deliver', permissions: [] } });
      let failed: { ok: boolean; status: number | null; error: string }[] = [];
      await eventually(async () => {
        failed = (await call(s.url, 'GET', `/v1/webhooks/${id}/deliveries`, { key: s.admin.key })).body.items;
        return failed.length > 0;
      }, 'an attempt logged');
      expect(failed[0]).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/WEBHOOK_ALLOW_PRIVATE/) });
      expect(receiver.attempts).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });
});
