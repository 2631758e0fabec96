import { randomUUID } from 'node:crypto';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyEntity } from '@keyward/database';
import { EventStoreModule } from '@keyward/event-store';
import { QueueModule } from '@keyward/queue';
import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { DeleteKeyCommand } from '../delete-key/delete-key.command';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { RecordUsageHandler } from '../record-usage/record-usage.handler';
import { ReportedUse, ReportUsageCommand } from './report-usage.command';
import { ReportUsageHandler } from './report-usage.handler';

describe('ReportUsageHandler (real Postgres)', () => {
  const app = keysTestSuite({
    imports: [EventStoreModule, QueueModule, TypeOrmModule.forFeature([ApiKeyEntity])],
    providers: [RecordUsageHandler, ReportUsageHandler],
  });
  const report = (records: ReportedUse[], companyId = app.acme.companyId) => app.commands.execute(new ReportUsageCommand(companyId, records));
  const use = (keyId: string): ReportedUse => ({
    eventId: randomUUID(),
    keyId,
    method: 'POST',
    route: '/invoices',
    status: 201,
    ip: '198.51.100.4',
    userAgent: null,
    requestId: null,
    durationMs: 12,
    occurredAt: new Date().toISOString(),
  });

  it("a service's batch becomes KeyUsed events with the service's event ids; a retry appends nothing twice", async () => {
    const batch = [use(app.acme.adminKeyId), use(app.acme.adminKeyId)];
    expect(await report(batch)).toEqual({ appended: 2 });
    const events = await app.store.readStream(streamOf.keyUsage(app.acme.adminKeyId));
    expect(events.map((e) => [e.eventId, e.type, e.companyId])).toEqual(batch.map((r) => [r.eventId, KeywardEvent.KeyUsed, app.acme.companyId]));
    const before = await app.eventCount();
    expect(await report(batch)).toEqual({ appended: 2 });
    expect(await app.eventCount()).toBe(before);
  });

  it("a deleted key's use is still its company's to report", async () => {
    const { id } = await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: [] }));
    await app.commands.execute(new DeleteKeyCommand(app.acme.operator, id));
    await expect(report([use(id)])).resolves.toEqual({ appended: 1 });
  });

  it("a batch naming another company's key, or an unknown one, is refused naming each record, and nothing of it is appended", async () => {
    const elsewhere = await app.company();
    const answer = await app.refused(() => report([use(app.acme.adminKeyId), use(elsewhere.adminKeyId), use(randomUUID())]));
    expect(answer).toEqual({ status: 422, code: 'UNKNOWN_KEY', fields: ['records[1].keyId', 'records[2].keyId'] });
  });
});
