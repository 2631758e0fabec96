import { resolveKey } from './resolved-key';
import { KeyCache, KeyRecord, leaseMargin } from './key-cache';

const record = (keyId: string, ownerId = 'owner-1'): KeyRecord => ({
  keyId,
  ownerId,
  companyId: 'company-1',
  name: keyId,
  permissions: ['invoices:read'],
  roles: [],
  meta: {},
  externalId: null,
  expiresAt: null,
  allowedIps: null,
  rateLimit: null,
});

describe('KeyCache', () => {
  let now = 0;
  const cache = () => new KeyCache(() => now);
  beforeEach(() => (now = 1_000));

  it('answers nothing without a lease, and stores nothing then', () => {
    const c = cache();
    expect(c.put('h1', resolveKey(record('k1')), c.mark())).toBe(false);
    expect(c.get('h1')).toBeUndefined();
  });

  it('trusts a lease until t0 + leaseMs − max(250 ms, leaseMs / 5), t0 being when the ack was sent', () => {
    const c = cache();
    c.renew(1_000, 10_000); // margin 2000
    expect(c.put('h1', resolveKey(record('k1')), c.mark())).toBe(true);
    now = 8_999;
    expect(c.get('h1')?.record.keyId).toBe('k1');
    now = 9_000;
    expect(c.get('h1')).toBeUndefined();
    expect(c.size).toBe(0); // emptied, not merely hidden
    now = 8_000;
    expect(c.get('h1')).toBeUndefined(); // an emptied cache does not come back
    expect(leaseMargin(1_000)).toBe(250);
  });

  it('a later ack extends the trust; an older answer arriving late never shortens it', () => {
    const c = cache();
    c.renew(1_000, 10_000);
    c.renew(5_000, 10_000);
    c.renew(2_000, 10_000);
    expect(c.trustedUntilMs).toBe(13_000);
  });

  it('drops the named keys, the keys of the named owners, or every key for a whole-company change', () => {
    const c = cache();
    c.renew(1_000, 60_000);
    for (const [h, r] of [['a', record('k1')], ['b', record('k2', 'owner-2')], ['c', record('k3', 'owner-3')]] as const) c.put(h, resolveKey(r), c.mark());
    c.apply({ seq: 1, keyIds: ['k1'], ownerIds: [], wholeCompany: false });
    expect([c.get('a'), c.get('b')?.record.keyId, c.get('c')?.record.keyId]).toEqual([undefined, 'k2', 'k3']);
    c.apply({ seq: 2, keyIds: [], ownerIds: ['owner-2'], wholeCompany: false });
    expect([c.get('b'), c.get('c')?.record.keyId]).toEqual([undefined, 'k3']);
    c.apply({ seq: 3, keyIds: [], ownerIds: [], wholeCompany: true });
    expect(c.get('c')).toBeUndefined();
  });

  it('refuses a verify answer that was in flight while a change was applied (it may predate the change)', () => {
    const c = cache();
    c.renew(1_000, 60_000);
    const mark = c.mark();
    c.apply({ seq: 7, keyIds: ['k1'], ownerIds: [], wholeCompany: false });
    expect(c.put('h1', resolveKey(record('k1')), mark)).toBe(false);
    expect(c.get('h1')).toBeUndefined();
    expect(c.put('h1', resolveKey(record('k1')), c.mark())).toBe(true);
  });

  it('refuses an answer in flight while the cache lapsed and a new lease began', () => {
    const c = cache();
    c.renew(1_000, 60_000);
    const mark = c.mark();
    c.lapse();
    c.renew(2_000, 60_000);
    expect(c.put('h1', resolveKey(record('k1')), mark)).toBe(false);
  });
});
