import { EventStoreModule } from '@keyward/event-store';
import { QueueModule } from '@keyward/queue';
import { keysTestSuite } from '@keyward/testing';
import { mintKey } from '../../domain/key-factory';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { RevokeKeyCommand } from '../revoke-key/revoke-key.command';
import { RotateKeyCommand } from '../rotate-key/rotate-key.command';
import { ExpireKeysCommand } from './expire-keys.command';
import { ExpireKeysHandler } from './expire-keys.handler';

describe('ExpireKeysHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite({ imports: [EventStoreModule, QueueModule], providers: [ExpireKeysHandler] });
  const sweep = () => app.commands.execute(new ExpireKeysCommand());
  const typesOf = async (keyId: string) => (await app.store.readStream(streamOf.key(keyId))).map((e) => e.type);

  /** A key whose expiry has passed (a command refuses a past expiry, so it is appended as the log would hold it). */
  const pastExpiry = async (msAgo: number) => {
    const minted = mintKey(
      app.config.pepper,
      app.acme.operator,
      { ownerId: app.acme.adminId, type: 'standard', name: 'old', description: null, permissions: [], expiresAt: new Date(Date.now() - msAgo).toISOString(), allowedIps: [], rateLimit: null },
      new Date(Date.now() - msAgo - 1000),
    );
    await app.store.append([minted.event], { expectedVersions: { [minted.event.streamId]: 0 } });
    return minted.keyId;
  };

  it('a key past its expiry gets one KeyExpired (reason expiry, at its expiry); a second sweep appends nothing for it', async () => {
    const keyId = await pastExpiry(5000);
    const first = await sweep();
    expect(first.expired).toBeGreaterThanOrEqual(1);
    const events = await app.store.readStream(streamOf.key(keyId));
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.KeyCreated, KeywardEvent.KeyExpired]);
    expect(events[1].data).toMatchObject({ keyId, reason: 'expiry', expiredAt: (events[0].data as { expiresAt: string }).expiresAt });
    const [row] = await app.dataSource.query('SELECT status FROM api_keys WHERE id = $1', [keyId]);
    expect(row.status).toBe('expired');

    const before = await app.eventCount();
    expect((await sweep()).expired).toBe(0);
    expect(await app.eventCount()).toBe(before);
  });

  it('a key rotated out with no grace expires for reason rotation; its replacement is left alone', async () => {
    const { id } = await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: ['keys:read'] }));
    const replacement = await app.commands.execute(new RotateKeyCommand(app.acme.operator, id, 0));
    await sweep();
    const old = await app.store.readStream(streamOf.key(id));
    expect(old.at(-1)).toMatchObject({ type: KeywardEvent.KeyExpired, data: { reason: 'rotation' } });
    expect(await typesOf(replacement.id)).toEqual([KeywardEvent.KeyCreated]);
  });

  it('a revoked key is not expired, nor a key whose expiry is still ahead', async () => {
    const revoked = await pastExpiry(2000);
    await app.commands.execute(new RevokeKeyCommand(app.acme.operator, revoked, null));
    const { id: live } = await app.commands.execute(
      new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: [], expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() }),
    );
    await sweep();
    expect(await typesOf(revoked)).toEqual([KeywardEvent.KeyCreated, KeywardEvent.KeyRevoked]);
    expect(await typesOf(live)).toEqual([KeywardEvent.KeyCreated]);
  });

  it('a key expiring within a day gets one 1-day notice, on a stream of its own, once', async () => {
    const { id } = await app.commands.execute(
      new CreateKeyCommand(app.acme.operator, { name: 'soon', ownerId: app.acme.adminId, permissions: [], expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    await sweep();
    await sweep();
    const notices = await app.store.readStream(streamOf.keyNotices(id));
    expect(notices.map((e) => [e.type, (e.data as { notice: string }).notice])).toEqual([[KeywardEvent.KeyExpiringSoon, '1d']]);
    expect(await typesOf(id)).toEqual([KeywardEvent.KeyCreated]);
  });
});
