import type { KeyRecord, ResolvedKey } from './resolved-key';

export type { KeyRecord } from './resolved-key';

/** A change of the verifier stream: drop these keys, the keys of these owners, or every key. */
export interface KeyChange {
  seq: number;
  keyIds: string[];
  ownerIds: string[];
  wholeCompany: boolean;
}

/** The margin the spec keeps before a lease's end: max(250 ms, leaseMs / 5). */
export function leaseMargin(leaseMs: number): number {
  return Math.max(250, leaseMs / 5);
}

/**
 * The verifier's cache of keys (as the request path uses them), keyed by a hash of the key. It answers only while a lease
 * is trusted: until `t0 + leaseMs − margin` on the monotonic clock, `t0` being when the last
 * successful ack (or the stream's opening) was *sent*. Past that it empties itself and answers
 * nothing, so a key is then verified afresh (fail closed).
 *
 * A verify answer is stored only if no change was applied (and the cache not emptied) while it
 * was in flight: an answer computed before a revoke must not outlive the revoke's change.
 */
export class KeyCache {
  private readonly entries = new Map<string, ResolvedKey>();
  private trustedUntil = Number.NEGATIVE_INFINITY;
  private generation = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly maxEntries = 10_000,
  ) {}

  /** Whether the cache may answer now; an expired trust empties it. */
  trusted(): boolean {
    if (this.now() < this.trustedUntil) return true;
    if (this.entries.size > 0) this.clear();
    return false;
  }

  /** Monotonic instant until which the cache is trusted (−∞ when it is not). */
  get trustedUntilMs(): number {
    return this.trustedUntil;
  }

  get size(): number {
    return this.entries.size;
  }

  /** A lease granted or renewed by a request sent at `sentAt` (monotonic). */
  renew(sentAt: number, leaseMs: number): void {
    this.trustedUntil = Math.max(this.trustedUntil, sentAt + leaseMs - leaseMargin(leaseMs));
  }

  /** No lease any more (lost stream, lapsed or unknown lease): empty, trust nothing. */
  lapse(): void {
    this.trustedUntil = Number.NEGATIVE_INFINITY;
    this.clear();
  }

  /** A token to hand back to `put`: it refuses the answer if anything changed meanwhile. */
  mark(): number {
    return this.generation;
  }

  get(hash: string): ResolvedKey | undefined {
    if (!this.trusted()) return undefined;
    return this.entries.get(hash);
  }

  /** Stores a fresh verify answer, unless a change was applied or the cache emptied since `mark`. */
  put(hash: string, entry: ResolvedKey, mark: number): boolean {
    if (mark !== this.generation || !this.trusted()) return false;
    if (this.entries.size >= this.maxEntries && !this.entries.has(hash)) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(hash, entry);
    return true;
  }

  /** Applies a change of the stream: the keys it names, the keys of the owners it names, or all. */
  apply(change: KeyChange): void {
    this.generation++;
    if (change.wholeCompany) return this.entries.clear();
    const keyIds = new Set(change.keyIds);
    const ownerIds = new Set(change.ownerIds);
    for (const [hash, { record }] of this.entries) {
      if (keyIds.has(record.keyId) || ownerIds.has(record.ownerId)) this.entries.delete(hash);
    }
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
