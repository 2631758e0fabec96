import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { DefinePermissionCommand } from '../define-permission/define-permission.command';
import { CreateKeyCommand, CreateKeyInput } from './create-key.command';

describe('CreateKeyHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();


  const create = (input: Partial<CreateKeyInput>, ctx = app.acme.operator) =>
    app.commands.execute(new CreateKeyCommand(ctx, { name: 'k', ownerId: app.acme.adminId, ...input }));

  /** The refusal, and that the log is as it was. */
  const refused = (input: Partial<CreateKeyInput>, ctx = app.acme.operator) => app.refused(() => create(input, ctx));

  it('a new key is one KeyCreated holding its hash, never the key, and the key is returned once with its resource', async () => {
    const created = await create({ permissions: ['keys:read'], allowedIps: ['10.0.0.0/8'], meta: { plan: 'pro' } });
    const events = await app.store.readStream(streamOf.key(created.id));
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.KeyCreated]);
    expect(events[0].data).toMatchObject({ keyId: created.id, ownerId: app.acme.adminId, type: 'standard', permissions: ['keys:read'], allowedIps: ['10.0.0.0/8'] });
    expect(JSON.stringify(events[0])).not.toContain(created.key);
    expect(created.key.startsWith(created.start)).toBe(true);
    expect(created).toMatchObject({ status: 'active', permissions: ['keys:read'], ownerId: app.acme.adminId, meta: { plan: 'pro' } });
  });

  it("a key's owner is the calling key's owner when none is given", async () => {
    const created = await create({ ownerId: undefined, permissions: ['keys:read'] }, app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write']));
    expect(created.ownerId).toBe(app.acme.adminId);
  });

  it('a role gives its permissions and is remembered; a company permission needs only keys:write', async () => {
    await app.commands.execute(new DefinePermissionCommand(app.acme.operator, { name: 'invoices:read' }));
    const byRole = await create({ role: 'READONLY' });
    expect(byRole).toMatchObject({ roles: ['READONLY'], permissions: ['audit:read', 'keys:read', 'users:read'] });
    const company = await create({ permissions: ['invoices:read'] }, app.keyCtx(app.acme, app.acme.adminId, ['keys:write']));
    expect(company.permissions).toEqual(['invoices:read']);
  });

  it('an expiry in the past or beyond the horizon is refused naming expiresAt', async () => {
    expect(await refused({ expiresAt: inDays(-1) })).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['expiresAt'] });
    expect(await refused({ expiresAt: inDays(app.config.keys.maxExpiryDays + 1) })).toMatchObject({ status: 400, fields: ['expiresAt'] });
  });

  it('an allowed address that is not an address or CIDR is refused naming its index; meta over 4 KB names meta', async () => {
    expect(await refused({ allowedIps: ['10.0.0.1', 'nowhere'] })).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['allowedIps[1]'] });
    expect(await refused({ meta: { big: 'x'.repeat(5000) } })).toMatchObject({ status: 400, fields: ['meta'] });
  });

  it('the operator must name an owner', async () => {
    expect(await refused({ ownerId: undefined })).toMatchObject({ status: 400, fields: ['ownerId'] });
  });

  it("a key without users:write cannot create keys for another user", async () => {
    const other = await app.user(app.acme, ['keys:read']);
    expect(await refused({ ownerId: other }, app.keyCtx(app.acme, app.acme.adminId, ['keys:write']))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      fields: ['ownerId'],
    });
  });

  it('an owner of another company, or disabled, is refused naming ownerId', async () => {
    const elsewhere = await app.company();
    expect(await refused({ ownerId: elsewhere.adminId })).toEqual({ status: 404, code: 'NOT_FOUND', fields: ['ownerId'] });
    const disabled = await app.user(app.acme, ['keys:read'], { disabled: true });
    expect(await refused({ ownerId: disabled })).toEqual({ status: 422, code: 'OWNER_DISABLED', fields: ['ownerId'] });
  });

  it('an administration key takes no permissions, and needs admin.system.api on the owner and the caller', async () => {
    expect(await refused({ type: 'administration', permissions: ['keys:read'] })).toMatchObject({ status: 400, fields: ['permissions'] });
    const plain = await app.user(app.acme, ['keys:read']);
    expect(await refused({ type: 'administration', ownerId: plain })).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['type'] });
    const caller = app.keyCtx(app.acme, app.acme.adminId, ['keys:write', 'users:write']);
    expect(await refused({ type: 'administration' }, caller)).toMatchObject({ status: 403, fields: ['type'] });
  });

  it('a permission or role the company has not defined is refused naming it', async () => {
    expect(await refused({ permissions: ['keys:read', 'invoices:read'] })).toEqual({
      status: 422,
      code: 'UNKNOWN_PERMISSION_OR_ROLE',
      fields: ['permissions[1]'],
    });
    expect(await refused({ roles: ['ADMIN', 'billing'] })).toMatchObject({ status: 422, fields: ['roles[1]'] });
  });

  it('a key cannot hand out a Keyward permission it does not have', async () => {
    expect(await refused({ permissions: ['keys:read', 'users:write'] }, app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write']))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      fields: ['permissions'],
    });
    expect(await refused({ role: 'ADMIN' }, app.keyCtx(app.acme, app.acme.adminId, ['keys:write']))).toMatchObject({ status: 403, fields: ['role'] });
  });

  it("a restricted key creates keys only inside its own expiry and networks", async () => {
    const restricted = app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write'], { restrictions: { expiresAt: inDays(10), allowedIps: ['10.0.0.0/8'] } });
    expect(await refused({ permissions: ['keys:read'], allowedIps: ['10.1.0.0/16'] }, restricted)).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      fields: ['expiresAt'],
    });
    expect(await refused({ permissions: ['keys:read'], expiresAt: inDays(5), allowedIps: ['192.0.2.1'] }, restricted)).toMatchObject({ fields: ['allowedIps'] });
    const inside = await create({ permissions: ['keys:read'], expiresAt: inDays(5), allowedIps: ['10.1.0.0/16'] }, restricted);
    expect(inside.allowedIps).toEqual(['10.1.0.0/16']);
  });
});
