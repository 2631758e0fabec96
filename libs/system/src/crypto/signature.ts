import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of the requests Keyward sends (to the central service now, webhooks later):
 *
 *   Keyward-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256(secret, "<t>.<raw body>")>
 *
 * The HMAC key is the company shared secret exactly as revealed (its UTF-8 bytes, `kwss_`
 * prefix included). A receiver recomputes the HMAC over the raw body it received, compares in
 * constant time, and refuses timestamps outside its tolerance (replays).
 */
export const SIGNATURE_HEADER = 'Keyward-Signature';

/** Default tolerance of `verifySignature`: five minutes either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/**
 * The value of the Keyward-Signature header for `body`, sent at `timestamp` (unix seconds). With
 * several secrets (a rotation's overlap), one `v1=` each, the current secret first.
 */
export function signOutbound(secret: string | readonly string[], body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error('timestamp must be whole unix seconds');
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new Error('at least one secret signs');
  return `t=${timestamp},${secrets.map((s) => `v1=${hmac(s, timestamp, body)}`).join(',')}`;
}

export type SignatureCheck =
  | { valid: true; timestamp: number }
  | { valid: false; reason: 'MALFORMED' | 'OUTSIDE_TOLERANCE' | 'MISMATCH' };

/**
 * Checks a Keyward-Signature header against the raw body, with any of `secrets` (a receiver may
 * hold the old and the new secret while it switches over). Never throws on bad input.
 */
export function verifySignature(
  secrets: string | readonly string[],
  body: string | Buffer,
  header: string | null | undefined,
  options: { toleranceSeconds?: number; now?: number } = {},
): SignatureCheck {
  if (typeof header !== 'string' || header.length > 4096) return { valid: false, reason: 'MALFORMED' };
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { valid: false, reason: 'MALFORMED' };
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null) return { valid: false, reason: 'MALFORMED' };
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { valid: false, reason: 'MALFORMED' };
      signatures.push(Buffer.from(value, 'hex'));
    } // other schemes are ignored, so new ones can be added beside v1
  }
  if (timestamp === null || signatures.length === 0) return { valid: false, reason: 'MALFORMED' };
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: 'OUTSIDE_TOLERANCE' };
  const expected = (typeof secrets === 'string' ? [secrets] : secrets).map((s) => Buffer.from(hmac(s, timestamp!, body), 'hex'));
  const match = expected.some((e) => signatures.some((s) => timingSafeEqual(e, s)));
  return match ? { valid: true, timestamp } : { valid: false, reason: 'MISMATCH' };
}
