import { createHmac } from 'node:crypto';
import { generateSharedSecret } from './shared-secret';
import { signOutbound, verifySignature } from './signature';

describe('outbound request signatures', () => {
  const secret = generateSharedSecret();
  const body = JSON.stringify({ hello: 'central', n: 1 });
  const t = 1_760_000_000;
  const now = t * 1000;

  it('is t=<unix>,v1=<hex HMAC-SHA-256 of "t.body"> under the secret as revealed', () => {
    const header = signOutbound(secret, body, t);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header === `t=${t},v1=${expected}`).toBe(true);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('verifies within the tolerance, from strings or raw bytes', () => {
    const header = signOutbound(secret, body, t);
    expect(verifySignature(secret, body, header, { now })).toEqual({ valid: true, timestamp: t });
    expect(verifySignature(secret, Buffer.from(body), header, { now: now + 299_000 })).toEqual({ valid: true, timestamp: t });
    expect(verifySignature(secret, body, header, { now: now - 299_000 })).toMatchObject({ valid: true });
  });

  it('refuses an old or future timestamp (replay), a changed body, another secret', () => {
    const header = signOutbound(secret, body, t);
    expect(verifySignature(secret, body, header, { now: now + 301_000 })).toEqual({ valid: false, reason: 'OUTSIDE_TOLERANCE' });
    expect(verifySignature(secret, body, header, { now: now + 10_000, toleranceSeconds: 5 })).toMatchObject({ valid: false });
    expect(verifySignature(secret, body + ' ', header, { now })).toEqual({ valid: false, reason: 'MISMATCH' });
    expect(verifySignature(generateSharedSecret(), body, header, { now })).toEqual({ valid: false, reason: 'MISMATCH' });
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifySignature(secret, body, moved, { now })).toEqual({ valid: false, reason: 'MISMATCH' });
  });

  it('accepts any of several secrets (a receiver switching over) and ignores unknown schemes', () => {
    const header = `${signOutbound(secret, body, t)},v0=whatever`;
    expect(verifySignature([generateSharedSecret(), secret], body, header, { now })).toMatchObject({ valid: true });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['no timestamp', 'v1=' + 'a'.repeat(64)],
    ['no signature', 't=1760000000'],
    ['a bad timestamp', 't=abc,v1=' + 'a'.repeat(64)],
    ['two timestamps', 't=1760000000,t=1760000001,v1=' + 'a'.repeat(64)],
    ['a short signature', 't=1760000000,v1=abcd'],
    ['a part without =', 't=1760000000,v1'],
  ])('calls %s malformed, without throwing', (_name, header) => {
    expect(verifySignature(secret, body, header, { now })).toEqual({ valid: false, reason: 'MALFORMED' });
  });
});
