import { createHash, randomUUID } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { canonicalJson } from './canonical-json';
import { canonicalHashedForm, computeEventHash, hashedForm } from './hash-chain';

/** A small deterministic generator, so that a failure can be replayed. */
function generator(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const KEYS = ['a', 'b', 'B', '', 'keyId', 'key', 'é', 'z', '\u20ac', '\u{1F600}', '10', '2', 'a b', '"q"', '\\', '\u0007'];
  const SCALARS: unknown[] = [
    null, true, false, 0, -0, 1, -1, 0.1, 1.5, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_SAFE_INTEGER, 86_400_000,
    '', 'x', 'GET', 'a "quoted" \\ string\n\t', '\u0000\u001f\u007f', '\u2028\u2029', 'é', '\u{1F600}', '\uD800', '\uDFFF',
    new Date(0), new Date('2026-12-05T09:27:19.123Z'), undefined,
  ];
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.5) return pick(SCALARS);
    if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [pick(KEYS), value(depth + 1)]));
  };
  return value;
}

describe('canonicalJson', () => {
  it('writes what json-canonicalize writes, for thousands of values', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const value = generator(seed)(0);
      expect({ seed, json: canonicalJson(value) }).toEqual({ seed, json: canonicalize(value) });
    }
  });

  it('writes the values of events as json-canonicalize does', () => {
    const values = [
      { keyId: randomUUID(), method: 'GET', route: '/invoices/:id', status: 200, ip: '203.0.113.7', userAgent: null, requestId: 'r-1', durationMs: 3.25 },
      { changes: { permissions: ['keys:read', 'invoices:write'], meta: { tier: 'gold', n: 1 }, expiresAt: null }, keyId: randomUUID() },
      { ip: '::1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', requestId: undefined },
      [undefined, 1, [], {}],
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('refuses non-finite numbers and cycles, as json-canonicalize does', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow('Non-finite number (NaN) is not permitted in JSON');
    expect(() => canonicalJson([Infinity])).toThrow('Non-finite number (Infinity) is not permitted in JSON');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    expect(() => canonicalJson(cycle)).toThrow('Circular reference detected');
    // a value repeated at two places is no cycle
    const shared = { x: 1 };
    expect(canonicalJson({ p: shared, q: [shared] })).toBe('{"p":{"x":1},"q":[{"x":1}]}');
  });
});

describe('computeEventHash', () => {
  const event = (extra: Record<string, unknown> = {}) => ({
    position: 42,
    eventId: randomUUID(),
    streamId: `keyUsage-${randomUUID()}`,
    streamVersion: 7,
    type: 'KeyUsed',
    occurredAt: new Date('2026-12-05T09:27:19.123Z'),
    companyId: randomUUID(),
    actor: { type: 'key' as const, id: randomUUID() },
    data: { keyId: randomUUID(), method: 'GET', status: 200, durationMs: 0.5, userAgent: null },
    metadata: { ip: '203.0.113.7', userAgent: null, requestId: 'r-1' },
    prevHash: 'a'.repeat(64),
    ...extra,
  });

  it('is SHA-256 over json-canonicalize of the hashed form, as every stored hash was computed', () => {
    for (const e of [event(), event({ companyId: null }), event({ metadata: {} }), event({ data: { nested: { b: [1, { a: undefined }], a: 'é' } } })]) {
      expect(canonicalHashedForm(e)).toBe(canonicalize(hashedForm(e)));
      expect(computeEventHash(e)).toBe(createHash('sha256').update(canonicalize(hashedForm(e))).digest('hex'));
    }
  });

  it('changes with every hashed field', () => {
    const e = event();
    const hashes = new Set(
      [
        e,
        { ...e, position: 43 },
        { ...e, eventId: randomUUID() },
        { ...e, streamId: 'other' },
        { ...e, streamVersion: 8 },
        { ...e, type: 'KeyRevoked' },
        { ...e, occurredAt: new Date(e.occurredAt.getTime() + 1) },
        { ...e, companyId: null },
        { ...e, actor: { ...e.actor, type: 'user' as const } },
        { ...e, data: { ...e.data, status: 201 } },
        { ...e, metadata: { ...e.metadata, ip: '::1' } },
        { ...e, prevHash: 'b'.repeat(64) },
      ].map(computeEventHash),
    );
    expect(hashes.size).toBe(12);
  });
});
