import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { DefinePermissionCommand } from '../define-permission/define-permission.command';
import { DefineRoleCommand } from '../define-role/define-role.command';
import { UpdateRoleCommand } from './update-role.command';

describe('UpdateRoleHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();

  beforeEach(async () => {
    for (const name of ['invoices:read', 'invoices:write']) await app.commands.execute(new DefinePermissionCommand(app.acme.operator, { name }));
    await app.commands.execute(new DefineRoleCommand(app.acme.operator, { name: 'billing', description: 'b', permissions: ['invoices:read'] }));
  });

  const update = (name: string, input: { description?: string | null; permissions?: string[] }) =>
    app.commands.execute(new UpdateRoleCommand(app.acme.operator, name, input));
  const refused = (name: string, input: { description?: string | null; permissions?: string[] }) => app.refused(() => update(name, input));

  it('an edit is one RoleUpdated with what changed, and a key holding the role follows it', async () => {
    const key = await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, roles: ['billing'] }));
    await update('billing', { description: 'b', permissions: ['invoices:write', 'invoices:read'] });
    const events = await app.store.readStream(streamOf.catalog(app.acme.companyId));
    expect(events.at(-1)).toMatchObject({ type: KeywardEvent.RoleUpdated, data: { name: 'billing', changes: { permissions: ['invoices:read', 'invoices:write'] } } });
    expect(Object.keys((events.at(-1)!.data as { changes: object }).changes)).toEqual(['permissions']);
    const [row] = await app.dataSource.query('SELECT roles FROM api_keys WHERE id = $1', [key.id]);
    expect(row.roles).toEqual(['billing']);
  });

  it('an edit that changes nothing appends nothing', async () => {
    const before = await app.eventCount();
    await update('billing', { description: 'b', permissions: ['invoices:read'] });
    expect(await app.eventCount()).toBe(before);
  });

  it('a built-in role cannot be edited; a role that does not exist is not found', async () => {
    expect(await refused('READONLY', { description: 'x' })).toEqual({ status: 409, code: 'BUILT_IN_ROLE', fields: ['name'] });
    expect(await refused('support', { description: 'x' })).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('a permission the company has not defined is refused naming its index', async () => {
    expect(await refused('billing', { permissions: ['invoices:read', 'nope:x'] })).toEqual({ status: 422, code: 'UNKNOWN_PERMISSION_OR_ROLE', fields: ['permissions[1]'] });
  });
});
