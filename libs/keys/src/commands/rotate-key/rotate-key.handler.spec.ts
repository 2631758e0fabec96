import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { GetKeyQuery } from '../../queries/get-key/get-key.query';
import { CreateKeyCommand, CreateKeyInput } from '../create-key/create-key.command';
import { RevokeKeyCommand } from '../revoke-key/revoke-key.command';
import { RotateKeyCommand } from './rotate-key.command';

describe('RotateKeyHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();


  const keyOf = async (input: Partial<CreateKeyInput> = {}) =>
    (await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: ['keys:read'], ...input }))).id;
  const rotate = (keyId: string, grace = 3600, ctx = app.acme.operator) => app.commands.execute(new RotateKeyCommand(ctx, keyId, grace));

  it('a rotation appends KeyRotated on the old key and KeyCreated for a new key with the same settings', async () => {
    const oldId = await keyOf({ allowedIps: ['10.0.0.0/8'], rateLimit: { limit: 5, windowSeconds: 60 }, meta: { team: 'a' } });
    const before = Date.now();
    const created = await rotate(oldId, 600);
    expect(created).toMatchObject({ rotatedFrom: oldId, permissions: ['keys:read'], allowedIps: ['10.0.0.0/8'], rateLimit: { limit: 5, windowSeconds: 60 }, meta: { team: 'a' } });
    expect(created.key.startsWith(created.start)).toBe(true);

    const old = await app.store.readStream(streamOf.key(oldId));
    expect(old.map((e) => e.type)).toEqual([KeywardEvent.KeyCreated, KeywardEvent.KeyRotated]);
    const grace = Date.parse((old[1].data as { graceEndsAt: string }).graceEndsAt);
    expect(grace).toBeGreaterThanOrEqual(before + 600_000);
    expect(grace).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(old[1].data).toMatchObject({ keyId: oldId, newKeyId: created.id });
    const fresh = await app.store.readStream(streamOf.key(created.id));
    expect(fresh[0].data).toMatchObject({ rotatedFrom: oldId });
    expect(JSON.stringify([...old, ...fresh])).not.toContain(created.key);
  });

  it('the old key reads as replaced, still active during its grace', async () => {
    const oldId = await keyOf();
    const created = await rotate(oldId, 600);
    const old = await app.queries.execute(new GetKeyQuery(app.acme.companyId, oldId));
    expect(old).toMatchObject({ status: 'active', replacedBy: created.id });
    expect(old.graceEndsAt).not.toBeNull();
  });

  it('a rotated key cannot be rotated again', async () => {
    const oldId = await keyOf();
    await rotate(oldId);
    expect(await app.refused(() => rotate(oldId))).toEqual({ status: 409, code: 'KEY_ALREADY_ROTATED', fields: [] });
  });

  it('a revoked key cannot be rotated', async () => {
    const keyId = await keyOf();
    await app.commands.execute(new RevokeKeyCommand(app.acme.operator, keyId, null));
    expect(await app.refused(() => rotate(keyId))).toEqual({ status: 409, code: 'KEY_NOT_ACTIVE', fields: [] });
  });

  it('a key rotated with no grace cannot be rotated again; its replacement can', async () => {
    const oldId = await keyOf();
    const created = await rotate(oldId, 0);
    expect(await app.refused(() => rotate(oldId))).toMatchObject({ status: 409 });
    await expect(rotate(created.id)).resolves.toMatchObject({ rotatedFrom: created.id });
  });

  it("a caller that could not grant the key's permissions cannot rotate it", async () => {
    const keyId = await keyOf({ permissions: ['keys:read', 'audit:read'] });
    const caller = app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write']);
    expect(await app.refused(() => rotate(keyId, 60, caller))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['keyId'] });
  });

  it('a restricted caller cannot rotate a key wider than itself (no expiry, other addresses)', async () => {
    const keyId = await keyOf();
    const restricted = app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write'], { restrictions: { expiresAt: inDays(3), allowedIps: ['10.0.0.0/8'] } });
    expect(await app.refused(() => rotate(keyId, 60, restricted))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['keyId'] });
  });

  it("another company's key is not found", async () => {
    const elsewhere = await app.company();
    expect(await app.refused(() => rotate(elsewhere.adminKeyId))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
