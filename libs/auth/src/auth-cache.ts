import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { CompiledAuthRecord } from './auth-record';

/**
 * In-process cache of key records by key hash. An entry may be stored only if no
 * invalidation arrived while it was being read (the epoch check), so a lookup that
 * raced a revoke can never put the stale record back.
 */
@Injectable()
export class AuthCache {
  private readonly entries: LRUCache<string, CompiledAuthRecord> | null;
  private epoch = 0;

  constructor(@Inject(KEYWARD_CONFIG) config: KeywardConfig) {
    const { maxEntries, ttlMs } = config.authCache;
    this.entries = maxEntries > 0 && ttlMs > 0 ? new LRUCache({ max: maxEntries, ttl: ttlMs }) : null;
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

  invalidate(match: { keyIds?: string[]; ownerIds?: string[]; all?: boolean }): number {
    this.epoch++;
    if (!this.entries) return 0;
    if (match.all) {
      const n = this.entries.size;
      this.entries.clear();
      return n;
    }
    const keys = new Set(match.keyIds ?? []);
    const owners = new Set(match.ownerIds ?? []);
    let removed = 0;
    for (const [hash, entry] of this.entries.entries()) {
      if (keys.has(entry.record.keyId) || owners.has(entry.record.ownerId)) {
        this.entries.delete(hash);
        removed++;
      }
    }
    return removed;
  }
}
