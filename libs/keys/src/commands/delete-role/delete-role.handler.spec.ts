import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { DefinePermissionCommand } from '../define-permission/define-permission.command';
import { DefineRoleCommand } from '../define-role/define-role.command';
import { DeleteRoleCommand } from './delete-role.command';

describe('DeleteRoleHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();

  beforeEach(async () => {
    await app.commands.execute(new DefinePermissionCommand(app.acme.operator, { name: 'invoices:read' }));
    await app.commands.execute(new DefineRoleCommand(app.acme.operator, { name: 'billing', permissions: ['invoices:read'] }));
  });

  const remove = (name: string) => app.commands.execute(new DeleteRoleCommand(app.acme.operator, name));
  const refused = (name: string) => app.refused(() => remove(name));

  it('a delete is one RoleDeleted naming the keys that held it; they lose it and its permissions', async () => {
    const key = await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, roles: ['billing'] }));
    await remove('billing');
    const events = await app.store.readStream(streamOf.catalog(app.acme.companyId));
    expect(events.at(-1)).toMatchObject({ type: KeywardEvent.RoleDeleted, data: { name: 'billing', keyIds: [key.id] } });
    const [row] = await app.dataSource.query('SELECT roles FROM api_keys WHERE id = $1', [key.id]);
    expect(row.roles).toEqual([]);
  });

  it('a built-in role cannot be deleted; a role that does not exist is not found', async () => {
    expect(await refused('ADMIN')).toEqual({ status: 409, code: 'BUILT_IN_ROLE', fields: ['name'] });
    await remove('billing');
    expect(await refused('billing')).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
