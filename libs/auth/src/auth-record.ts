import * as ipaddr from 'ipaddr.js';
import { RateLimitSetting } from '@keyward/database';
import { Permission, intersect, normalisePermissions } from './permissions';

/** What the guard needs to know about one key and its owner, as read from the projected tables. */
export interface AuthRecord {
  keyId: string;
  companyId: string;
  ownerId: string;
  type: 'standard' | 'administration';
  permissions: string[];
  status: 'active' | 'revoked' | 'expired';
  deleted: boolean;
  expiresAt: Date | null;
  graceEndsAt: Date | null;
  allowedIps: string[];
  rateLimit: RateLimitSetting | null;
  ownerPermissions: string[];
  ownerDisabled: boolean;
}

/** The authenticated caller, attached to the request. */
export interface Principal {
  keyId: string;
  ownerId: string;
  companyId: string;
  permissions: Permission[];
  expiresAt: Date | null;
  rateLimit: RateLimitSetting | null;
}

export type AuthFailureReason =
  | 'MISSING'
  | 'MALFORMED'
  | 'NOT_FOUND'
  | 'REVOKED'
  | 'EXPIRED'
  | 'DELETED'
  | 'FORBIDDEN'
  | 'OWNER_DISABLED';

export type Evaluation = { ok: true; principal: Principal } | { ok: false; reason: AuthFailureReason };

type Matcher = (addr: ipaddr.IPv4 | ipaddr.IPv6) => boolean;

/**
 * Strict address syntax: IPv4 only as four decimal parts (no octal, hex or short forms,
 * which would silently mean another address), IPv6 without a zone.
 */
function isStrictAddress(text: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return !/(^|\.)0\d/.test(text);
  return !text.includes('.') || /:/.test(text) ? ipaddr.IPv6.isValid(text) && !text.includes('%') : false;
}

/** Parses an address or CIDR; returns null when it is neither (used by validation too). */
export function parseAllowedIp(entry: string): Matcher | null {
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !isStrictAddress(address)) return null;
  try {
    if (bits !== undefined) {
      if (!/^(0|[1-9]\d{0,2})$/.test(bits)) return null;
      const [range, prefix] = ipaddr.parseCIDR(entry);
      return (a) => a.kind() === range.kind() && a.match(range, prefix);
    }
    const single = ipaddr.process(address);
    return (a) => a.kind() === single.kind() && a.toNormalizedString() === single.toNormalizedString();
  } catch {
    return null;
  }
}

/** A record with its allowed-address matchers compiled once, as it sits in the cache. */
export class CompiledAuthRecord {
  private readonly matchers: Matcher[];

  constructor(readonly record: AuthRecord) {
    this.matchers = record.allowedIps.map(parseAllowedIp).filter((m): m is Matcher => m !== null);
  }

  allows(ip: string | undefined): boolean {
    if (this.record.allowedIps.length === 0) return true;
    if (!ip || !ipaddr.isValid(ip)) return false;
    const addr = ipaddr.process(ip); // IPv4-mapped IPv6 becomes IPv4
    return this.matchers.some((m) => m(addr));
  }

  /** Exact to the millisecond: a key is refused from its expiry instant on. */
  evaluate(now: number, ip: string | undefined): Evaluation {
    const r = this.record;
    if (r.deleted) return { ok: false, reason: 'DELETED' };
    if (r.status === 'revoked') return { ok: false, reason: 'REVOKED' };
    if (r.status === 'expired') return { ok: false, reason: 'EXPIRED' };
    if (r.expiresAt && now >= r.expiresAt.getTime()) return { ok: false, reason: 'EXPIRED' };
    if (r.graceEndsAt && now >= r.graceEndsAt.getTime()) return { ok: false, reason: 'EXPIRED' };
    if (r.ownerDisabled) return { ok: false, reason: 'OWNER_DISABLED' };
    if (!this.allows(ip)) return { ok: false, reason: 'FORBIDDEN' };
    const permissions =
      r.type === 'administration'
        ? normalisePermissions(r.ownerPermissions)
        : intersect(r.permissions, r.ownerPermissions);
    const expiresAt = [r.expiresAt, r.graceEndsAt]
      .filter((d): d is Date => d !== null)
      .sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    return {
      ok: true,
      principal: { keyId: r.keyId, ownerId: r.ownerId, companyId: r.companyId, permissions, expiresAt, rateLimit: r.rateLimit },
    };
  }
}
