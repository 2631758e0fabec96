import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { DefinePermissionCommand } from './define-permission.command';

describe('DefinePermissionHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();


  const define = (name: string, description?: string) => app.commands.execute(new DefinePermissionCommand(app.acme.operator, { name, description }));
  const refused = (name: string) => app.refused(() => define(name));

  it("a company's permission is one PermissionDefined on its catalog stream", async () => {
    const made = await define('invoices:read', 'read invoices');
    expect(made).toMatchObject({ name: 'invoices:read', description: 'read invoices' });
    const events = await app.store.readStream(streamOf.catalog(app.acme.companyId));
    expect(events.map((e) => [e.type, e.data])).toEqual([[KeywardEvent.PermissionDefined, { name: 'invoices:read', description: 'read invoices' }]]);
  });

  it('a name without ":" or "." or with capitals is refused naming name', async () => {
    expect(await refused('invoices')).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['name'] });
    expect(await refused('Invoices:read')).toMatchObject({ status: 400, fields: ['name'] });
  });

  it("Keyward's own permissions are reserved", async () => {
    expect(await refused('keys:write')).toEqual({ status: 409, code: 'RESERVED_PERMISSION', fields: ['name'] });
  });

  it('a permission defined twice is refused; another company may define the same name', async () => {
    await define('invoices:read');
    expect(await refused('invoices:read')).toEqual({ status: 409, code: 'ALREADY_EXISTS', fields: ['name'] });
    const elsewhere = await app.company();
    await expect(app.commands.execute(new DefinePermissionCommand(elsewhere.operator, { name: 'invoices:read' }))).resolves.toMatchObject({ name: 'invoices:read' });
  });
});
