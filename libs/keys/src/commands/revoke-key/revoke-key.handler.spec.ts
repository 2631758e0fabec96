import { SETTLE_PARTICIPANTS, SettleParticipant } from '@keyward/event-store';
import { keysTestSuite } from '@keyward/testing';
import { KeyRightsConfirmation } from '../../domain/key-rights-confirmation';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { RevokeKeyCommand } from './revoke-key.command';

describe('RevokeKeyHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();


  const keyOf = async (ownerId: string) =>
    (await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId, permissions: ['keys:read'] }))).id;
  const revoke = (keyId: string, ctx = app.acme.operator) => app.commands.execute(new RevokeKeyCommand(ctx, keyId, 'leaked'));

  it('a revoke is one KeyRevoked with its reason, and the key reads as revoked when it returns', async () => {
    const keyId = await keyOf(app.acme.adminId);
    const resource = await revoke(keyId);
    expect(resource).toMatchObject({ id: keyId, status: 'revoked' });
    expect(resource.revokedAt).not.toBeNull();
    const events = await app.store.readStream(streamOf.key(keyId));
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.KeyCreated, KeywardEvent.KeyRevoked]);
    expect(events[1].data).toEqual({ keyId, reason: 'leaked' });
  });

  it("settles through the key domain's cache confirmation: a revoke returns only once no instance serves the key from its cache", () => {
    const participants = app.module.get<SettleParticipant[]>(SETTLE_PARTICIPANTS, { strict: false });
    expect(participants.some((p) => p instanceof KeyRightsConfirmation)).toBe(true);
  });

  it('a revoked key cannot be revoked again', async () => {
    const keyId = await keyOf(app.acme.adminId);
    await revoke(keyId);
    expect(await app.refused(() => revoke(keyId))).toEqual({ status: 409, code: 'KEY_ALREADY_REVOKED', fields: [] });
  });

  it("another company's key, or one that does not exist, is not found", async () => {
    const elsewhere = await app.company();
    expect(await app.refused(() => revoke(elsewhere.adminKeyId))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await app.refused(() => revoke('00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404 });
  });

  it("a key without users:write cannot revoke another user's key", async () => {
    const other = await app.user(app.acme, ['keys:read']);
    const keyId = await keyOf(other);
    const caller = app.keyCtx(app.acme, app.acme.adminId, ['keys:read', 'keys:write']);
    expect(await app.refused(() => revoke(keyId, caller))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['ownerId'] });
  });

  it('a lesser key with users:write cannot cut off a user who has more than it', async () => {
    // the admin holds every permission; this caller lacks audit:read and admin.system.api
    const caller = app.keyCtx(app.acme, await app.user(app.acme, ['keys:write', 'users:write']), ['keys:read', 'keys:write', 'users:read', 'users:write']);
    const keyId = await keyOf(app.acme.adminId);
    expect(await app.refused(() => revoke(keyId, caller))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['keyId'] });
    // its own keys it may revoke with keys:write alone
    const own = await keyOf(caller.ownerId!);
    await expect(revoke(own, caller)).resolves.toMatchObject({ status: 'revoked' });
  });
});
