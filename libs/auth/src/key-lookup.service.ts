import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { AuthCache, isFinalRefusal } from './auth-cache';
import { AuthRecord, CompiledAuthRecord, KeyVerdict } from './auth-record';
import { CacheCoherenceService } from './cache-coherence.service';
import { hashKey, isWellFormedKey } from './key-format';

interface Row {
  id: string;
  company_id: string;
  owner_id: string;
  type: AuthRecord['type'];
  permissions: string[];
  status: AuthRecord['status'];
  deleted_at: Date | null;
  expires_at: Date | null;
  grace_ends_at: Date | null;
  allowed_ips: string[];
  rate_limit: AuthRecord['rateLimit'];
  owner_permissions: string[];
  owner_disabled: boolean;
  roles: string[];
  role_permissions: string[];
  name: string;
  meta: Record<string, unknown>;
  external_id: string | null;
}

/** Turns a presented key into a verdict: shape, then cache, then the projected key table. */
@Injectable()
export class KeyLookupService {
  private readonly pepper: string;

  constructor(
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
    private readonly dataSource: DataSource,
    private readonly cache: AuthCache,
    private readonly coherence: CacheCoherenceService,
  ) {
    this.pepper = config.pepper;
  }

  /**
   * The verdict on a presented key; the key's id and company when it exists. Answered
   * synchronously when the cache holds the key (or its refusal): no promise on the common path.
   */
  evaluate(key: unknown, ip: string | undefined): KeyVerdict | Promise<KeyVerdict> {
    if (!isWellFormedKey(key)) return { ok: false, reason: 'MALFORMED' };
    const hash = hashKey(this.pepper, key);
    const known = this.cache.knownRefusal(hash);
    if (known) return { ok: false, ...known };
    const usable = this.coherence.cacheUsable();
    const hit = usable ? this.cache.get(hash) : undefined;
    if (hit) return this.verdictOf(hash, hit, ip);
    // the epoch before the read: a record read across an invalidation is not cached
    const epoch = this.cache.currentEpoch();
    return this.load('k.hash', hash).then((record) => {
      if (record && usable) this.cache.setIfUnchanged(hash, record, epoch);
      return this.verdictOf(hash, record, ip);
    });
  }

  private verdictOf(hash: string, record: CompiledAuthRecord | null, ip: string | undefined): KeyVerdict {
    if (!record) {
      this.cache.rememberRefusal(hash, { reason: 'NOT_FOUND' });
      return { ok: false, reason: 'NOT_FOUND' };
    }
    const verdict = record.evaluate(Date.now(), ip);
    if (verdict.ok) return verdict; // the record's own frozen verdict: nothing allocated per request
    const { keyId, companyId } = record.record;
    if (isFinalRefusal(verdict.reason)) this.cache.rememberRefusal(hash, { reason: verdict.reason, keyId, companyId });
    return { ...verdict, keyId, companyId };
  }

  /**
   * The verdict on a key known by its id (a dashboard session): read from the projected
   * table every time, so a revoke, deletion or disabled owner ends the session at once.
   */
  async evaluateById(keyId: string, ip: string | undefined): Promise<KeyVerdict> {
    const record = await this.load('k.id', keyId);
    if (!record) return { ok: false, reason: 'NOT_FOUND' };
    const verdict = record.evaluate(Date.now(), ip);
    return verdict.ok ? verdict : { ...verdict, keyId: record.record.keyId, companyId: record.record.companyId };
  }

  private async load(column: 'k.hash' | 'k.id', value: string): Promise<CompiledAuthRecord | null> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT k.id, k.company_id, k.owner_id, k.type, k.permissions, k.status, k.deleted_at, k.expires_at,
              k.grace_ends_at, k.allowed_ips, k.rate_limit, u.permissions AS owner_permissions,
              u.disabled AS owner_disabled, k.roles, k.name, k.meta, k.external_id,
              ARRAY(SELECT DISTINCT p FROM company_roles r, unnest(r.permissions) p
                     WHERE r.company_id = k.company_id AND r.name = ANY(k.roles) ORDER BY p) AS role_permissions
         FROM api_keys k JOIN users u ON u.id = k.owner_id
        WHERE ${column} = $1`,
      [value],
    );
    const r = rows[0];
    if (!r) return null;
    return new CompiledAuthRecord({
      keyId: r.id,
      companyId: r.company_id,
      ownerId: r.owner_id,
      type: r.type,
      permissions: r.permissions,
      status: r.status,
      deleted: r.deleted_at !== null,
      expiresAt: r.expires_at,
      graceEndsAt: r.grace_ends_at,
      allowedIps: r.allowed_ips,
      rateLimit: r.rate_limit,
      ownerPermissions: r.owner_permissions,
      ownerDisabled: r.owner_disabled,
      roles: r.roles,
      rolePermissions: r.role_permissions,
      name: r.name,
      meta: r.meta,
      externalId: r.external_id,
    });
  }
}
