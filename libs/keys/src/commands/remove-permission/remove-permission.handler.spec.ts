import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { DefinePermissionCommand } from '../define-permission/define-permission.command';
import { DefineRoleCommand } from '../define-role/define-role.command';
import { RemovePermissionCommand } from './remove-permission.command';

describe('RemovePermissionHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();

  beforeEach(async () => {
    await app.commands.execute(new DefinePermissionCommand(app.acme.operator, { name: 'invoices:read' }));
  });

  const remove = (name: string, force = false) => app.commands.execute(new RemovePermissionCommand(app.acme.operator, name, force));
  const lastCatalogEvent = async () => (await app.store.readStream(streamOf.catalog(app.acme.companyId))).at(-1);

  it('an unused permission is removed with one PermissionRemoved, not forced', async () => {
    await remove('invoices:read');
    expect(await lastCatalogEvent()).toMatchObject({ type: KeywardEvent.PermissionRemoved, data: { name: 'invoices:read', forced: false, roles: [], keyIds: [] } });
  });

  it('a permission held by a role or a key is refused without force, and nothing is appended', async () => {
    await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: ['invoices:read'] }));
    expect(await app.refused(() => remove('invoices:read'))).toEqual({ status: 409, code: 'PERMISSION_IN_USE', fields: [] });
  });

  it('with force it is taken from every role and key, each named in the event', async () => {
    await app.commands.execute(new DefineRoleCommand(app.acme.operator, { name: 'billing', permissions: ['invoices:read'] }));
    const key = await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: ['invoices:read', 'keys:read'] }));
    await remove('invoices:read', true);
    expect(await lastCatalogEvent()).toMatchObject({ data: { name: 'invoices:read', forced: true, roles: ['billing'], keyIds: [key.id] } });
    const [row] = await app.dataSource.query('SELECT permissions FROM api_keys WHERE id = $1', [key.id]);
    expect(row.permissions).toEqual(['keys:read']);
  });

  it('a permission that does not exist is not found', async () => {
    expect(await app.refused(() => remove('nope:x'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
