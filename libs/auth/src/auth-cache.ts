import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { AuthFailureReason, CompiledAuthRecord } from './auth-record';

/** A refusal that no later change can turn into an acceptance: remembered, so repeating it costs no database read. */
export interface KnownRefusal {
  reason: Extract<AuthFailureReason, 'NOT_FOUND' | 'REVOKED' | 'DELETED' | 'EXPIRED'>;
  keyId?: string;
  companyId?: string;
}

const FINAL_REASONS = new Set<AuthFailureReason>(['NOT_FOUND', 'REVOKED', 'DELETED', 'EXPIRED']);

export function isFinalRefusal(reason: AuthFailureReason): reason is KnownRefusal['reason'] {
  return FINAL_REASONS.has(reason);
}

/**
 * In-process cache of key records by key hash. An entry may be stored only if no
 * invalidation arrived while it was being read (the epoch check), so a lookup that
 * raced a revoke can never put the stale record back.
 *
 * Beside it, a negative cache of refused key hashes whose refusal is final (unknown, revoked,
 * deleted, expired: a key is created with fresh random bytes and none of these states is ever
 * undone), so a client repeating a bad key costs no database read. Refusals that can change
 * (owner disabled, address not allowed) are never kept.
 */
@Injectable()
export class AuthCache {
  private readonly entries: LRUCache<string, CompiledAuthRecord> | null;
  private readonly refused: LRUCache<string, KnownRefusal> | null;
  private epoch = 0;

  constructor(@Inject(KEYWARD_CONFIG) config: KeywardConfig) {
    const { maxEntries, ttlMs } = config.authCache;
    const enabled = maxEntries > 0 && ttlMs > 0;
    this.entries = enabled ? new LRUCache({ max: maxEntries, ttl: ttlMs }) : null;
    this.refused = enabled ? new LRUCache({ max: Math.max(1_000, maxEntries * 5), ttl: ttlMs }) : null;
  }

  knownRefusal(hash: string): KnownRefusal | undefined {
    return this.refused?.get(hash);
  }

  rememberRefusal(hash: string, refusal: KnownRefusal): void {
    this.refused?.set(hash, refusal);
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  currentEpoch(): number {
    return this.epoch;
  }

  get(hash: string): CompiledAuthRecord | undefined {
    return this.entries?.get(hash);
  }

  /** Stores the record only when no invalidation happened since `epochAtRead`. */
  setIfUnchanged(hash: string, record: CompiledAuthRecord, epochAtRead: number): void {
    if (this.entries && epochAtRead === this.epoch) this.entries.set(hash, record);
  }

  invalidate(match: { keyIds?: string[]; ownerIds?: string[]; companyIds?: string[]; all?: boolean }): number {
    this.epoch++;
    if (!this.entries) return 0;
    if (match.all) {
      const n = this.entries.size;
      this.entries.clear();
      this.refused?.clear();
      return n;
    }
    const keys = new Set(match.keyIds ?? []);
    const owners = new Set(match.ownerIds ?? []);
    const companies = new Set(match.companyIds ?? []);
    let removed = 0;
    for (const [hash, entry] of this.entries.entries()) {
      if (keys.has(entry.record.keyId) || owners.has(entry.record.ownerId) || companies.has(entry.record.companyId)) {
        this.entries.delete(hash);
        removed++;
      }
    }
    return removed;
  }
}
