import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateKeyCommand, CreateKeyInput } from '../create-key/create-key.command';
import { RevokeKeyCommand } from '../revoke-key/revoke-key.command';
import { UpdateKeyCommand, UpdateKeyInput } from './update-key.command';

describe('UpdateKeyHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();


  const keyOf = async (input: Partial<CreateKeyInput> = {}) =>
    (await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: ['keys:read'], ...input }))).id;
  const update = (keyId: string, input: UpdateKeyInput, ctx = app.acme.operator) => app.commands.execute(new UpdateKeyCommand(ctx, keyId, input));

  it('an edit appends one KeyUpdated holding only what changed, and returns the key as it now is', async () => {
    const keyId = await keyOf({ description: 'same' });
    const resource = await update(keyId, { name: 'renamed', description: 'same', allowedIps: ['192.0.2.0/24'], rateLimit: { limit: 9, windowSeconds: 60 } });
    expect(resource).toMatchObject({ name: 'renamed', description: 'same', allowedIps: ['192.0.2.0/24'], rateLimit: { limit: 9, windowSeconds: 60 } });
    const events = await app.store.readStream(streamOf.key(keyId));
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.KeyCreated, KeywardEvent.KeyUpdated]);
    expect(events[1].data).toEqual({ keyId, changes: { name: 'renamed', allowedIps: ['192.0.2.0/24'], rateLimit: { limit: 9, windowSeconds: 60 } } });
  });

  it('an edit that changes nothing appends nothing', async () => {
    const keyId = await keyOf();
    const before = await app.eventCount();
    await expect(update(keyId, { name: 'k', permissions: ['keys:read'] })).resolves.toMatchObject({ name: 'k' });
    expect(await app.eventCount()).toBe(before);
  });

  it('null clears a setting: the expiry goes', async () => {
    const keyId = await keyOf({ expiresAt: inDays(5) });
    await expect(update(keyId, { expiresAt: null })).resolves.toMatchObject({ expiresAt: null });
  });

  it('bad input is refused naming the field: an expiry in the past, an address that is none, meta that is not an object', async () => {
    const keyId = await keyOf();
    expect(await app.refused(() => update(keyId, { expiresAt: inDays(-1) }))).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['expiresAt'] });
    expect(await app.refused(() => update(keyId, { allowedIps: ['300.1.1.1'] }))).toMatchObject({ status: 400, fields: ['allowedIps[0]'] });
    expect(await app.refused(() => update(keyId, { meta: [] as unknown as Record<string, unknown> }))).toMatchObject({ status: 400, fields: ['meta'] });
  });

  it('a key cannot change its own restrictions', async () => {
    const keyId = await keyOf();
    const itself = { ...app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write']), actor: { type: 'key' as const, id: keyId } };
    expect(await app.refused(() => update(keyId, { rateLimit: null, name: 'x' }, itself))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      fields: ['rateLimit'],
    });
    await expect(update(keyId, { name: 'mine' }, itself)).resolves.toMatchObject({ name: 'mine' });
  });

  it('a revoked key cannot be changed', async () => {
    const keyId = await keyOf();
    await app.commands.execute(new RevokeKeyCommand(app.acme.operator, keyId, null));
    expect(await app.refused(() => update(keyId, { name: 'x' }))).toEqual({ status: 409, code: 'KEY_NOT_ACTIVE', fields: [] });
  });

  it('an administration key takes no permissions', async () => {
    expect(await app.refused(() => update(app.acme.adminKeyId, { permissions: ['keys:read'] }))).toMatchObject({ status: 400, fields: ['permissions'] });
  });

  it('a key cannot give a key a Keyward permission it does not have, nor an unknown one', async () => {
    const keyId = await keyOf();
    const caller = app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write']);
    expect(await app.refused(() => update(keyId, { permissions: ['users:write'] }, caller))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      fields: ['permissions'],
    });
    expect(await app.refused(() => update(keyId, { permissions: ['invoices:read'] }))).toMatchObject({ status: 422, fields: ['permissions[0]'] });
  });

  it("a caller that cannot grant what the key can do cannot open the key's restrictions", async () => {
    const keyId = await keyOf({ permissions: ['audit:read'], allowedIps: ['10.0.0.1'] });
    const caller = app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write']);
    expect(await app.refused(() => update(keyId, { allowedIps: [] }, caller))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['allowedIps'] });
  });

  it('a restricted caller keeps the key inside its own expiry', async () => {
    const keyId = await keyOf({ expiresAt: inDays(2) });
    const restricted = app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write', 'users:read', 'users:write', 'audit:read', 'keys:verify', 'admin.system.api'], {
      restrictions: { expiresAt: inDays(3), allowedIps: [] },
    });
    expect(await app.refused(() => update(keyId, { expiresAt: inDays(30) }, restricted))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['expiresAt'] });
  });
});
