import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { DefinePermissionCommand } from '../define-permission/define-permission.command';
import { DefineRoleCommand } from './define-role.command';

describe('DefineRoleHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();

  beforeEach(async () => {
    for (const name of ['invoices:read', 'invoices:write']) await app.commands.execute(new DefinePermissionCommand(app.acme.operator, { name }));
  });

  const define = (name: string, permissions: string[]) => app.commands.execute(new DefineRoleCommand(app.acme.operator, { name, permissions }));
  const refused = (name: string, permissions: string[]) => app.refused(() => define(name, permissions));

  it('a role is one RoleDefined with its permissions sorted and de-duplicated', async () => {
    const role = await define('billing', ['invoices:write', 'invoices:read', 'invoices:write']);
    expect(role).toMatchObject({ name: 'billing', permissions: ['invoices:read', 'invoices:write'], builtIn: false });
    const events = await app.store.readStream(streamOf.catalog(app.acme.companyId));
    expect(events.at(-1)).toMatchObject({ type: KeywardEvent.RoleDefined, data: { name: 'billing', description: null, permissions: ['invoices:read', 'invoices:write'] } });
  });

  it('a bad name, or a built-in role name in any case, is refused naming name', async () => {
    expect(await refused('b', [])).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['name'] });
    expect(await refused('admin', [])).toEqual({ status: 409, code: 'BUILT_IN_ROLE', fields: ['name'] });
  });

  it('a role defined twice is refused', async () => {
    await define('billing', []);
    expect(await refused('billing', ['invoices:read'])).toEqual({ status: 409, code: 'ALREADY_EXISTS', fields: ['name'] });
  });

  it("a permission the company has not defined, or one of Keyward's own, is refused naming its index", async () => {
    expect(await refused('billing', ['invoices:read', 'invoices:delete'])).toEqual({ status: 422, code: 'UNKNOWN_PERMISSION_OR_ROLE', fields: ['permissions[1]'] });
    expect(await refused('billing', ['keys:write'])).toMatchObject({ status: 422, fields: ['permissions[0]'] });
  });
});
