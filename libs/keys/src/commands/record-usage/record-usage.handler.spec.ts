import { randomUUID } from 'node:crypto';
import { EventStoreModule } from '@keyward/event-store';
import { QueueModule, UsageRecord } from '@keyward/queue';
import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { RecordUsageCommand } from './record-usage.command';
import { RecordUsageHandler } from './record-usage.handler';

describe('RecordUsageHandler (real Postgres)', () => {
  const app = keysTestSuite({ imports: [EventStoreModule, QueueModule], providers: [RecordUsageHandler] });
  const record = (records: UsageRecord[]) => app.commands.execute(new RecordUsageCommand(records));
  const use = (extra: Partial<UsageRecord>): UsageRecord => ({
    eventId: randomUUID(),
    type: 'KeyUsed',
    occurredAt: new Date().toISOString(),
    companyId: app.acme.companyId,
    keyId: app.acme.adminKeyId,
    method: 'GET',
    route: '/v1/me',
    status: 200,
    ip: '192.0.2.7',
    userAgent: 'spec',
    requestId: 'r1',
    durationMs: 3,
    ...extra,
  });

  it("a batch is appended as KeyUsed on the key's usage stream, never on the key's own", async () => {
    const batch = [use({}), use({ status: 404, route: '/v1/keys/:id' })];
    expect(await record(batch)).toEqual({ appended: 2 });
    const events = await app.store.readStream(streamOf.keyUsage(app.acme.adminKeyId));
    expect(events.map((e) => [e.eventId, e.type, (e.data as { status: number }).status])).toEqual([
      [batch[0].eventId, KeywardEvent.KeyUsed, 200],
      [batch[1].eventId, KeywardEvent.KeyUsed, 404],
    ]);
    expect(events[0]).toMatchObject({ actor: { type: 'key', id: app.acme.adminKeyId }, metadata: { ip: '192.0.2.7', requestId: 'r1' } });
    expect((await app.store.readStream(streamOf.key(app.acme.adminKeyId))).map((e) => e.type)).toEqual([KeywardEvent.KeyCreated]);
  });

  it('a refused request is an AuthenticationFailed with its reason, under the company or, without a key, anonymous', async () => {
    const refused = use({ type: 'AuthenticationFailed', keyId: null, status: 401, reason: 'NOT_FOUND' });
    await record([refused]);
    const [event] = await app.store.readStream(streamOf.authFailures(app.acme.companyId));
    expect(event).toMatchObject({ eventId: refused.eventId, type: KeywardEvent.AuthenticationFailed, actor: { type: 'system', id: 'anonymous' }, data: { reason: 'NOT_FOUND', keyId: null } });
  });

  it('a retried batch appends nothing twice; an empty batch appends nothing', async () => {
    const batch = [use({}), use({})];
    await record(batch);
    const before = await app.eventCount();
    expect(await record([...batch, use({})])).toEqual({ appended: 1 });
    expect(await app.eventCount()).toBe(before + 1);
    expect(await record([])).toEqual({ appended: 0 });
    expect(await app.eventCount()).toBe(before + 1);
  });
});
