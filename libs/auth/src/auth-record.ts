import * as ipaddr from 'ipaddr.js';
import { RateLimitSetting } from '@keyward/database';
import { intersect, normalisePermissions, splitPermissions } from './permissions';

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
  /** Roles the key holds by name. */
  roles: string[];
  /** The company permissions of the key's company roles, as the roles are now. */
  rolePermissions: string[];
  name: string;
  meta: Record<string, unknown>;
  externalId: string | null;
}

/**
 * The authenticated caller, attached to the request. Built once per cached key record and shared by
 * every request that key makes while cached: frozen, arrays and objects included.
 */
export interface Principal {
  readonly keyId: string;
  readonly ownerId: string;
  readonly companyId: string;
  /**
   * Effective permissions: Keyward's own (the key's ∩ its owner's now; an administration key: all of
   * its owner's), then the company's own (the key's and its roles' now), each sorted.
   */
  readonly permissions: readonly string[];
  readonly roles: readonly string[];
  readonly name: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly externalId: string | null;
  readonly expiresAt: Date | null;
  readonly rateLimit: Readonly<RateLimitSetting> | null;
  /** The key's own allowed addresses (empty: any); keys it creates stay inside them. */
  readonly allowedIps: readonly string[];
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

/** An allowed-address entry as a network: a single address is a /32 (IPv4) or /128 (IPv6). */
function networkOf(entry: string): { range: ipaddr.IPv4 | ipaddr.IPv6; prefix: number } | null {
  if (!parseAllowedIp(entry)) return null;
  if (entry.includes('/')) {
    const [range, prefix] = ipaddr.parseCIDR(entry);
    return { range, prefix };
  }
  const single = ipaddr.process(entry);
  return { range: single, prefix: single.kind() === 'ipv4' ? 32 : 128 };
}

/**
 * Whether every address `entry` admits is admitted by one of `networks` (a key's allowed
 * addresses): 10.1.2.0/24 is within 10.0.0.0/8, 10.0.0.0/8 is not within 10.1.2.0/24.
 */
export function allowedIpWithin(entry: string, networks: readonly string[]): boolean {
  const inner = networkOf(entry);
  if (!inner) return false;
  return networks.some((n) => {
    const outer = networkOf(n);
    return !!outer && outer.range.kind() === inner.range.kind() && inner.prefix >= outer.prefix && inner.range.match(outer.range, outer.prefix);
  });
}

/** The verdict on a key as the guard uses it: the key's id and company whenever the key exists. */
export type KeyVerdict =
  | { ok: true; principal: Principal; keyId: string; companyId: string }
  | { ok: false; reason: AuthFailureReason; keyId?: string; companyId?: string };

/**
 * A record compiled once, as it sits in the cache: its allowed-address matchers and the
 * principal it admits. Nothing in the principal depends on the request (permissions are the
 * key's and its owner's and roles' as read), so every request the record admits gets the same
 * frozen verdict; only the expiry instants and the caller's address are checked per request.
 */
export class CompiledAuthRecord {
  private readonly matchers: Matcher[];
  /** The verdict of every request this record admits, built on first use. */
  private admitted?: Extract<KeyVerdict, { ok: true }>;
  /** The earliest of expiresAt and graceEndsAt, in ms (Infinity: none). */
  private readonly endsAt: number;

  constructor(readonly record: AuthRecord) {
    this.matchers = record.allowedIps.map(parseAllowedIp).filter((m): m is Matcher => m !== null);
    this.endsAt = Math.min(record.expiresAt?.getTime() ?? Infinity, record.graceEndsAt?.getTime() ?? Infinity);
  }

  allows(ip: string | undefined): boolean {
    if (this.record.allowedIps.length === 0) return true;
    if (!ip || !ipaddr.isValid(ip)) return false;
    const addr = ipaddr.process(ip); // IPv4-mapped IPv6 becomes IPv4
    return this.matchers.some((m) => m(addr));
  }

  /** Exact to the millisecond: a key is refused from its expiry instant on. */
  evaluate(now: number, ip: string | undefined): KeyVerdict {
    const r = this.record;
    if (r.deleted) return { ok: false, reason: 'DELETED' };
    if (r.status === 'revoked') return { ok: false, reason: 'REVOKED' };
    if (r.status === 'expired') return { ok: false, reason: 'EXPIRED' };
    if (now >= this.endsAt) return { ok: false, reason: 'EXPIRED' };
    if (r.ownerDisabled) return { ok: false, reason: 'OWNER_DISABLED' };
    if (!this.allows(ip)) return { ok: false, reason: 'FORBIDDEN' };
    return (this.admitted ??= Object.freeze({ ok: true, principal: this.principal(), keyId: r.keyId, companyId: r.companyId }));
  }

  private principal(): Principal {
    const r = this.record;
    const own = r.type === 'administration' ? normalisePermissions(r.ownerPermissions) : intersect(r.permissions, r.ownerPermissions);
    const company = splitPermissions([...r.permissions, ...r.rolePermissions]).company;
    return Object.freeze({
      keyId: r.keyId,
      ownerId: r.ownerId,
      companyId: r.companyId,
      permissions: Object.freeze([...own, ...company]),
      roles: Object.freeze([...r.roles]),
      name: r.name,
      meta: Object.freeze({ ...r.meta }),
      externalId: r.externalId,
      expiresAt: Number.isFinite(this.endsAt) ? new Date(this.endsAt) : null,
      rateLimit: r.rateLimit && Object.freeze({ ...r.rateLimit }),
      allowedIps: Object.freeze([...r.allowedIps]),
    });
  }
}
