import { LookupAddress, lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

export const MAX_URL_LENGTH = 2048;

/**
 * Why a webhook URL cannot be used, or null. Only http(s), no credentials (the receiver checks the
 * signature instead), no fragment; the address is checked separately (it needs DNS).
 */
export function webhookUrlProblem(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not hold credentials (user:password@): the receiver checks the Keyward-Signature header instead';
  if (url.hash) return 'must not have a #fragment (it is never sent)';
  if (!url.hostname) return 'must name a host';
  return null;
}

/** The host of a URL as DNS and isIP see it (IPv6 literals without their brackets). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * An address a webhook may reach without WEBHOOK_ALLOW_PRIVATE: public unicast only — not
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16 with the
 * cloud metadata endpoints, fe80::/10), carrier-grade NAT, unspecified, multicast, broadcast or
 * reserved; an IPv4-mapped IPv6 address is judged as the IPv4 address it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

export class RefusedTargetError extends Error {
  readonly code = 'WEBHOOK_TARGET_REFUSED';
  constructor(host: string) {
    // the address itself is not repeated: a caller must not learn what an internal name resolves to
    super(`${host} is (or resolves to) a private, loopback, link-local or otherwise non-public address; set WEBHOOK_ALLOW_PRIVATE=true to allow it`);
  }
}

export class UnresolvableTargetError extends Error {
  readonly code = 'WEBHOOK_TARGET_UNRESOLVABLE';
  constructor(host: string) {
    super(`${host} does not resolve to an address`);
  }
}

/** Checks where a URL leads: every address its host resolves to must be public (unless allowed). */
export async function checkTarget(url: URL, allowPrivate: boolean): Promise<void> {
  const host = hostOf(url);
  if (isIP(host)) {
    if (!allowPrivate && !isPublicAddress(host)) throw new RefusedTargetError(host);
    return;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, found) => (err ? reject(new UnresolvableTargetError(host)) : resolve(found))),
  );
  if (addresses.length === 0) throw new UnresolvableTargetError(host);
  if (!allowPrivate && addresses.some((a) => !isPublicAddress(a.address))) throw new RefusedTargetError(host);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses non-public addresses at connection time, so a name
 * that resolved to a public address when the webhook was created cannot be pointed at an internal
 * one later (DNS rebinding). IP literals never reach a lookup: `checkTarget` covers them.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number } & object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, found) => {
      if (err) return callback(err, options.all ? [] : '', undefined);
      const usable = allowPrivate ? found : found.filter((a) => isPublicAddress(a.address));
      if (usable.length === 0 || (!allowPrivate && usable.length !== found.length)) {
        return callback(Object.assign(new RefusedTargetError(hostname), { code: 'WEBHOOK_TARGET_REFUSED' }) as NodeJS.ErrnoException, options.all ? [] : '', undefined);
      }
      if (options.all) return callback(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}
