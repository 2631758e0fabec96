import { KeysTestApp, createKeysTestApp } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { BootstrapCommand } from './bootstrap.command';

describe('BootstrapHandler (real Postgres, inline projection)', () => {
  // its own database: "the first company" means the first of this database
  let app: KeysTestApp;
  beforeAll(async () => {
    app = await createKeysTestApp();
  });
  afterAll(() => app.close());

  const bootstrap = (firstOnly: boolean, adminEmail = 'Admin@Acme.test') =>
    app.commands.execute(new BootstrapCommand({ companyName: 'Acme', adminEmail, adminName: 'Ada', firstOnly }));

  it('the first start creates a company, its admin user with every permission and an administration key, in one append', async () => {
    const made = (await bootstrap(true))!;
    const events = [
      ...(await app.store.readStream(streamOf.company(made.companyId))),
      ...(await app.store.readStream(streamOf.user(made.userId))),
      ...(await app.store.readStream(streamOf.key(made.keyId))),
    ];
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.CompanyCreated, KeywardEvent.UserCreated, KeywardEvent.KeyCreated]);
    expect(new Set(events.map((e) => e.transactionId)).size).toBe(1);
    expect(events[1].data).toMatchObject({ email: 'admin@acme.test', permissions: ['admin.system.api', 'audit:read', 'keys:read', 'keys:verify', 'keys:write', 'users:read', 'users:write'] });
    expect(events[2].data).toMatchObject({ ownerId: made.userId, type: 'administration', permissions: [] });
    expect(JSON.stringify(events)).not.toContain(made.key);
    expect(await app.eventCount()).toBe(3);
    const [key] = await app.dataSource.query('SELECT status, type FROM api_keys WHERE id = $1', [made.keyId]);
    expect(key).toEqual({ status: 'active', type: 'administration' });
  });

  it('once a company exists, a first-only bootstrap does nothing and appends nothing', async () => {
    const before = await app.eventCount();
    await expect(bootstrap(true, 'other@acme.test')).resolves.toBeNull();
    expect(await app.eventCount()).toBe(before);
  });

  it('without first-only, every bootstrap makes a new company of its own', async () => {
    const a = (await bootstrap(false))!;
    const b = (await bootstrap(false))!;
    expect(a.companyId).not.toBe(b.companyId);
    expect(a.key).not.toBe(b.key);
  });
});
