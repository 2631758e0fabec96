import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { RevokeKeyCommand } from '../revoke-key/revoke-key.command';
import { DeleteKeyCommand } from './delete-key.command';

describe('DeleteKeyHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();


  const keyOf = async (ownerId: string) =>
    (await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId, permissions: ['keys:read'] }))).id;
  const remove = (keyId: string, ctx = app.acme.operator) => app.commands.execute(new DeleteKeyCommand(ctx, keyId));

  it('a delete is one KeyDeleted; the key is gone from the read model, its history stays in the log', async () => {
    const keyId = await keyOf(app.acme.adminId);
    await app.commands.execute(new RevokeKeyCommand(app.acme.operator, keyId, null));
    await expect(remove(keyId)).resolves.toBeUndefined();
    const events = await app.store.readStream(streamOf.key(keyId));
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.KeyCreated, KeywardEvent.KeyRevoked, KeywardEvent.KeyDeleted]);
    const [row] = await app.dataSource.query('SELECT deleted_at IS NOT NULL AS deleted FROM api_keys WHERE id = $1', [keyId]);
    expect(row.deleted).toBe(true);
  });

  it('a deleted key is not found again', async () => {
    const keyId = await keyOf(app.acme.adminId);
    await remove(keyId);
    expect(await app.refused(() => remove(keyId))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it("another company's key is not found", async () => {
    const elsewhere = await app.company();
    expect(await app.refused(() => remove(elsewhere.adminKeyId))).toMatchObject({ status: 404 });
  });

  it("deleting another user's key needs users:write, and a caller covering that user's permissions", async () => {
    const keyId = await keyOf(app.acme.adminId);
    const noUsersWrite = app.keyCtx(app.acme, await app.user(app.acme, ['keys:write']), ['keys:write']);
    expect(await app.refused(() => remove(keyId, noUsersWrite))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['ownerId'] });
    const lesser = app.keyCtx(app.acme, noUsersWrite.ownerId!, ['keys:write', 'users:write']);
    expect(await app.refused(() => remove(keyId, lesser))).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['keyId'] });
  });
});
