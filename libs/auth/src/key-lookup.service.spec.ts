import { DataSource } from 'typeorm';
import { loadConfig } from '@keyward/config';
import { AuthCache } from './auth-cache';
import { AuthRecord, CompiledAuthRecord } from './auth-record';
import { CacheCoherenceService } from './cache-coherence.service';
import { generateKey, hashKey } from './key-format';
import { XApiKeyStrategy } from './pipeline/key-strategies';
import { KeyLookupService } from './key-lookup.service';
import { throttleBucket } from './rate-limits';

const config = loadConfig({
  DATABASE_URL: 'postgres://x@127.0.0.1/x_test',
  REDIS_URL: 'redis://127.0.0.1:1',
  KEYWARD_PEPPER: 'p'.repeat(32),
});

describe('KeyLookupService before any I/O', () => {
  it('refuses malformed keys and bad checksums without touching the database or the cache', async () => {
    const query = jest.fn();
    const cacheUsable = jest.fn();
    const lookup = new KeyLookupService(
      config,
      { query } as unknown as DataSource,
      new AuthCache(config),
      { cacheUsable } as unknown as CacheCoherenceService,
    );
    const good = generateKey().key;
    const badChecksum = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    for (const candidate of ['', 'kw_short', badChecksum, 'x'.repeat(10_000), good.toUpperCase(), undefined]) {
      expect(await lookup.evaluate(candidate, '127.0.0.1')).toEqual({ ok: false, reason: 'MALFORMED' });
    }
    expect(query).not.toHaveBeenCalled();
    expect(cacheUsable).not.toHaveBeenCalled();
  });
});

describe('KeyLookupService and the strategies on a cached key', () => {
  function lookupWith(query: jest.Mock) {
    const cache = new AuthCache(config);
    const lookup = new KeyLookupService(config, { query } as unknown as DataSource, cache, { cacheUsable: () => true } as unknown as CacheCoherenceService);
    return { cache, lookup };
  }

  it('answers a cached key at once, not through a promise, and passport hears it before authenticate returns', () => {
    const query = jest.fn();
    const { cache, lookup } = lookupWith(query);
    const { key } = generateKey();
    cache.setIfUnchanged(hashKey(config.pepper, key), new CompiledAuthRecord(record({ keyId: 'k-cached' })), cache.currentEpoch());

    const verdict = lookup.evaluate(key, '127.0.0.1');
    expect(verdict).not.toBeInstanceOf(Promise);
    expect(verdict).toMatchObject({ ok: true, principal: { keyId: 'k-cached' } });

    const attempt = Object.create(new XApiKeyStrategy(lookup));
    const heard: unknown[] = [];
    attempt.success = (principal: { keyId: string }) => heard.push(principal.keyId);
    attempt.fail = () => heard.push('fail');
    attempt.error = () => heard.push('error');
    attempt.authenticate({ headers: { 'x-api-key': key }, ip: '127.0.0.1' }, { session: false });
    expect(heard).toEqual(['k-cached']);
    expect(query).not.toHaveBeenCalled();
  });

  it('reads the key table on a miss, answers later, and remembers a key it did not find', async () => {
    const query = jest.fn().mockResolvedValue([]);
    const { lookup } = lookupWith(query);
    const { key } = generateKey();
    const verdict = lookup.evaluate(key, '127.0.0.1');
    expect(verdict).toBeInstanceOf(Promise);
    await expect(verdict).resolves.toEqual({ ok: false, reason: 'NOT_FOUND' });
    expect(lookup.evaluate(key, '127.0.0.1')).toEqual({ ok: false, reason: 'NOT_FOUND' }); // the refusal is remembered
    expect(query).toHaveBeenCalledTimes(1);
  });
});

const record = (over: Partial<AuthRecord> = {}): AuthRecord => ({
  keyId: 'k',
  companyId: 'c',
  ownerId: 'o',
  type: 'standard',
  permissions: ['keys:read', 'keys:write', 'users:read'],
  status: 'active',
  deleted: false,
  expiresAt: null,
  graceEndsAt: null,
  allowedIps: [],
  rateLimit: null,
  ownerPermissions: ['keys:read', 'users:read', 'audit:read'],
  ownerDisabled: false,
  roles: [],
  rolePermissions: [],
  name: 'k',
  meta: {},
  externalId: null,
  ...over,
});

describe('CompiledAuthRecord', () => {
  const now = Date.parse('2026-11-23T12:00:00.000Z');

  it("grants the key's permissions that its owner still has", () => {
    const r = new CompiledAuthRecord(record()).evaluate(now, '10.0.0.1');
    expect(r).toMatchObject({ ok: true, principal: { permissions: ['keys:read', 'users:read'] } });
  });

  it("adds the company's own permissions of the key and of its roles, which the owner need not hold", () => {
    const r = new CompiledAuthRecord(
      record({ permissions: ['keys:read', 'invoices:read', 'audit:read'], roles: ['billing'], rolePermissions: ['invoices:write', 'invoices:read'] }),
    ).evaluate(now, '10.0.0.1');
    // Keyward's own: key ∩ owner (audit:read is the owner's, keys:write is not the key's); then the company's, once each
    expect(r).toMatchObject({ ok: true, principal: { permissions: ['audit:read', 'keys:read', 'invoices:read', 'invoices:write'], roles: ['billing'] } });
  });

  it("gives an administration key all of its owner's permissions", () => {
    const r = new CompiledAuthRecord(record({ type: 'administration', permissions: [] })).evaluate(now, undefined);
    expect(r).toMatchObject({ ok: true, principal: { permissions: ['audit:read', 'keys:read', 'users:read'] } });
  });

  it('refuses from the expiry instant on, to the millisecond', () => {
    const rec = new CompiledAuthRecord(record({ expiresAt: new Date(now) }));
    expect(rec.evaluate(now - 1, undefined).ok).toBe(true);
    expect(rec.evaluate(now, undefined)).toEqual({ ok: false, reason: 'EXPIRED' });
    const grace = new CompiledAuthRecord(record({ graceEndsAt: new Date(now) }));
    expect(grace.evaluate(now - 1, undefined).ok).toBe(true);
    expect(grace.evaluate(now, undefined)).toEqual({ ok: false, reason: 'EXPIRED' });
  });

  it.each<[Partial<AuthRecord>, string]>([
    [{ status: 'revoked' }, 'REVOKED'],
    [{ deleted: true }, 'DELETED'],
    [{ status: 'expired' }, 'EXPIRED'],
    [{ ownerDisabled: true }, 'OWNER_DISABLED'],
  ])('refuses %p as %s', (over, reason) => {
    expect(new CompiledAuthRecord(record(over)).evaluate(now, undefined)).toEqual({ ok: false, reason });
  });

  it('matches allowed addresses and CIDRs, IPv4-mapped IPv6 included', () => {
    const rec = new CompiledAuthRecord(record({ allowedIps: ['192.0.2.0/24', '2001:db8::/32', '198.51.100.7'] }));
    expect(rec.allows('192.0.2.99')).toBe(true);
    expect(rec.allows('::ffff:192.0.2.5')).toBe(true);
    expect(rec.allows('2001:db8:1::1')).toBe(true);
    expect(rec.allows('198.51.100.7')).toBe(true);
    expect(rec.allows('198.51.100.8')).toBe(false);
    expect(rec.allows(undefined)).toBe(false);
    expect(rec.evaluate(now, '203.0.113.1')).toEqual({ ok: false, reason: 'FORBIDDEN' });
  });
});

describe('AuthCache', () => {
  it('does not store a record read before an invalidation that arrived meanwhile', () => {
    const cache = new AuthCache(config);
    const compiled = new CompiledAuthRecord(record());
    const epoch = cache.currentEpoch();
    cache.invalidate({ keyIds: ['k'] }); // arrives while the lookup was reading
    cache.setIfUnchanged('h', compiled, epoch);
    expect(cache.get('h')).toBeUndefined();
    cache.setIfUnchanged('h', compiled, cache.currentEpoch());
    expect(cache.get('h')).toBe(compiled);
  });

  it("drops entries by key id or by owner", () => {
    const cache = new AuthCache(config);
    cache.setIfUnchanged('a', new CompiledAuthRecord(record({ keyId: 'k1', ownerId: 'o1' })), 0);
    cache.setIfUnchanged('b', new CompiledAuthRecord(record({ keyId: 'k2', ownerId: 'o2' })), 0);
    cache.setIfUnchanged('c', new CompiledAuthRecord(record({ keyId: 'k3', ownerId: 'o2' })), 0);
    expect(cache.invalidate({ keyIds: ['k1'] })).toBe(1);
    expect(cache.invalidate({ ownerIds: ['o2'] })).toBe(2);
    expect(cache.size).toBe(0);
  });
});

describe('throttleBucket', () => {
  it('counts IPv4 per address and IPv6 per /64', () => {
    expect(throttleBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(throttleBucket('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(throttleBucket('2001:db8:1:2:aaaa::1')).toBe(throttleBucket('2001:db8:1:2:bbbb::2'));
    expect(throttleBucket('2001:db8:1:2::1')).not.toBe(throttleBucket('2001:db8:1:3::1'));
  });
});
