import { storedStream } from '@keyward/testing';
import { KeywardEvent } from '../events/keyward-events';
import { foldKey, isKeyLive } from './key.state';

const created = new Date('2026-06-01T00:00:00Z');
const now = created.getTime() + 1000;
const stream = (...events: [string, object][]) => storedStream('key-k1', events, { from: created });
const settings = { name: 'k', description: null, permissions: ['keys:read'], expiresAt: null, allowedIps: [], rateLimit: null };
const keyCreated: [string, object] = [KeywardEvent.KeyCreated, { keyId: 'k1', ownerId: 'u1', type: 'standard', start: 'kw_abc', hash: 'h', ...settings }];

describe('a key folded from its stream', () => {
  it('no KeyCreated, no key', () => {
    expect(foldKey([])).toBeNull();
    expect(foldKey(stream([KeywardEvent.KeyRevoked, { keyId: 'k1', reason: null }]))).toBeNull();
  });

  it('KeyCreated gives an active key at version 1; fields absent in older events take their defaults', () => {
    expect(foldKey(stream(keyCreated))).toEqual({
      keyId: 'k1',
      companyId: 'c1',
      ownerId: 'u1',
      type: 'standard',
      start: 'kw_abc',
      ...settings,
      roles: [],
      meta: {},
      externalId: null,
      version: 1,
      revoked: false,
      expired: false,
      deleted: false,
      replacedBy: null,
      graceEndsAt: null,
      createdAt: created,
    });
  });

  it('KeyUpdated applies only its changes; each event moves the version', () => {
    const key = foldKey(
      stream(
        keyCreated,
        [KeywardEvent.KeyUpdated, { keyId: 'k1', changes: { name: 'renamed', allowedIps: ['10.0.0.0/8'] } }],
        [KeywardEvent.KeyUpdated, { keyId: 'k1', changes: { rateLimit: { limit: 5, windowSeconds: 60 }, expiresAt: '2027-01-01T00:00:00.000Z' } }],
      ),
    )!;
    expect(key).toMatchObject({ name: 'renamed', allowedIps: ['10.0.0.0/8'], rateLimit: { limit: 5, windowSeconds: 60 }, permissions: ['keys:read'], version: 3 });
  });

  it('KeyRevoked, KeyExpired and KeyDeleted each end the key, and are remembered apart', () => {
    const revoked = foldKey(stream(keyCreated, [KeywardEvent.KeyRevoked, { keyId: 'k1', reason: 'leaked' }]))!;
    expect(revoked).toMatchObject({ revoked: true, expired: false, deleted: false, version: 2 });
    const expired = foldKey(stream(keyCreated, [KeywardEvent.KeyExpired, { keyId: 'k1', reason: 'expiry', expiredAt: created.toISOString() }]))!;
    expect(expired).toMatchObject({ revoked: false, expired: true, deleted: false });
    const deleted = foldKey(stream(keyCreated, [KeywardEvent.KeyRevoked, { keyId: 'k1', reason: null }], [KeywardEvent.KeyDeleted, { keyId: 'k1' }]))!;
    expect(deleted).toMatchObject({ revoked: true, deleted: true, version: 3 });
    for (const key of [revoked, expired, deleted]) expect(isKeyLive(key, now)).toBe(false);
  });

  it('KeyRotated names the new key and when its grace ends; the key lives until then, not after', () => {
    const graceEndsAt = new Date(now + 60_000).toISOString();
    const key = foldKey(stream(keyCreated, [KeywardEvent.KeyRotated, { keyId: 'k1', newKeyId: 'k2', graceEndsAt }]))!;
    expect(key).toMatchObject({ replacedBy: 'k2', graceEndsAt, version: 2 });
    expect(isKeyLive(key, now)).toBe(true);
    expect(isKeyLive(key, now + 60_000)).toBe(false);
  });

  it('a key lives until its expiry, and not at that instant', () => {
    const key = foldKey(stream(keyCreated, [KeywardEvent.KeyUpdated, { keyId: 'k1', changes: { expiresAt: new Date(now + 5000).toISOString() } }]))!;
    expect(isKeyLive(key, now + 4999)).toBe(true);
    expect(isKeyLive(key, now + 5000)).toBe(false);
  });

  it('events of other kinds in the stream change nothing but the version', () => {
    const key = foldKey(stream(keyCreated, ['SomethingElse', { keyId: 'k1', name: 'ignored' }]))!;
    expect(key).toMatchObject({ name: 'k', version: 2 });
  });
});
