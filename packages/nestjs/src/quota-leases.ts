import { QuotaGrant, RateLimitSetting } from './client';

/**
 * One request's answer. `remaining` (what is left of the window after this request) is known when
 * the blocks come with their positions in the window (`LeasedGrant.used`), and is 0 on a refusal.
 */
export type QuotaDecision = Readonly<
  | { allowed: true; limit: number; resetSeconds: number; remaining?: number }
  | { allowed: false; limit: number; resetSeconds: number; remaining?: number }
>;

/** A block as its source grants it. */
export interface LeasedGrant extends QuotaGrant {
  /** Requests of the window taken before this block: its requests are the window's positions used + 1 … used + granted. */
  used?: number;
  /** Milliseconds until the window resets, when the source knows it more precisely than `resetSeconds`. */
  resetMs?: number;
}

/**
 * Where blocks come from: Keyward over HTTP (`KeywardClient`, `POST /v1/keys/:id/quota`), or, inside
 * Keyward, the Redis counter itself. `setting` is the key's limit as the caller knows it.
 */
export interface QuotaSource {
  takeQuota(keyId: string, want: number, setting: RateLimitSetting): Promise<LeasedGrant>;
}

export interface QuotaLeasesOptions {
  /** Largest block asked at once; default 1000 (Keyward takes 1..10000). */
  maxBlock?: number;
  /** Keys whose blocks are kept; default 10,000. Past it, the key that took a block least recently is dropped (and the rest of its block lost). */
  maxKeys?: number;
  now?: () => number;
}

interface Block {
  /** The setting the block was taken under: another limit or window is another counter, so a new block. */
  limitOf: number;
  windowOf: number;
  remaining: number;
  /** The window position of the last request spent, when the source says where blocks lie. */
  position?: number;
  /** Monotonic end of the window the block was granted in: what is left then is lost. */
  validUntil: number;
  /** Keyward granted nothing: refused locally until then. */
  exhaustedUntil: number;
  want: number;
  limit: number;
  pending?: Promise<void>;
  /** The last allowing decision, handed out again while limit and reset are the same (blocks without positions). */
  allowed?: QuotaDecision;
}

/**
 * Rate limits exact across services: a key's requests are spent from blocks taken out of its
 * window at Keyward (`POST /v1/keys/:id/quota`; Keyward's own API instances take them from the
 * same Redis counter with this class), never more than the limit in total. A block
 * starts at 1 request and doubles each time one is used up within a window (hot keys ask less
 * often), up to `maxBlock` and a twentieth of the limit. One request for a block per key at a
 * time; concurrent requests wait for it. Keyward granting 0 is a refusal until the window resets.
 */
export class QuotaLeases {
  /** Insertion order is the order of the last refill: the first entry is dropped first. */
  private readonly blocks = new Map<string, Block>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(
    private readonly source: QuotaSource,
    private readonly options: QuotaLeasesOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
  }

  /**
   * Spends one request of the key: at once from the key's block (the common case, no promise), or
   * after asking the source for a block; the promise rejects with the source's error (for Keyward:
   * KeywardUnavailableError) when a block is needed and it is away. Undefined: the key has no rate limit.
   */
  take(keyId: string, setting: RateLimitSetting | null): QuotaDecision | undefined | Promise<QuotaDecision | undefined> {
    if (!setting) return undefined;
    const block = this.blockOf(keyId, setting);
    return this.spendFrom(block) ?? this.takeAfterRefill(keyId, block);
  }

  /** A decision from what the block holds, or undefined when Keyward must be asked. */
  private spendFrom(block: Block): QuotaDecision | undefined {
    const now = this.now();
    if (block.validUntil <= now && block.remaining > 0) {
      block.remaining = 0; // the window ended: the rest of the block is lost, and the key is not that hot
      block.want = 1;
    }
    if (block.remaining > 0) {
      block.remaining--;
      const resetSeconds = secondsUntil(block.validUntil, now);
      if (block.position !== undefined) return { allowed: true, limit: block.limit, remaining: block.limit - ++block.position, resetSeconds };
      // the same answer for every request of a second: nothing allocated per request
      if (block.allowed?.limit !== block.limit || block.allowed.resetSeconds !== resetSeconds) {
        block.allowed = { allowed: true, limit: block.limit, resetSeconds };
      }
      return block.allowed;
    }
    if (block.exhaustedUntil > now) return { allowed: false, limit: block.limit, remaining: 0, resetSeconds: secondsUntil(block.exhaustedUntil, now) };
    return undefined;
  }

  private async takeAfterRefill(keyId: string, block: Block): Promise<QuotaDecision> {
    for (;;) {
      if (!block.pending) block.pending = this.refill(keyId, block).finally(() => (block.pending = undefined));
      await block.pending;
      const decision = this.spendFrom(block);
      if (decision) return decision;
    }
  }

  private blockOf(keyId: string, setting: RateLimitSetting): Block {
    let block = this.blocks.get(keyId);
    if (!block || block.limitOf !== setting.limit || block.windowOf !== setting.windowSeconds) {
      block = { limitOf: setting.limit, windowOf: setting.windowSeconds, remaining: 0, validUntil: 0, exhaustedUntil: 0, want: 1, limit: setting.limit };
      this.keep(keyId, block);
    }
    return block;
  }

  /** The key's block becomes the most recent one; the least recent goes when there are too many. */
  private keep(keyId: string, block: Block): void {
    this.blocks.delete(keyId);
    this.blocks.set(keyId, block);
    if (this.blocks.size > this.maxKeys) this.blocks.delete(this.blocks.keys().next().value as string);
  }

  private async refill(keyId: string, block: Block): Promise<void> {
    const sentAt = this.now();
    const want = block.want;
    const grant = await this.source.takeQuota(keyId, want, { limit: block.limitOf, windowSeconds: block.windowOf });
    if (this.blocks.get(keyId) === block) this.keep(keyId, block);
    // the window ends no earlier than this: the source measured its time to reset after we sent
    const windowEnd = sentAt + (grant.resetMs ?? Math.max(0, grant.resetSeconds * 1000 - 500));
    block.limit = grant.limit;
    if (grant.granted <= 0) {
      block.exhaustedUntil = sentAt + (grant.resetMs ?? Math.max(1, grant.resetSeconds) * 1000);
      block.want = 1;
      return;
    }
    block.remaining = grant.granted; // refilled only once the block was spent (or its window over)
    block.position = grant.used;
    block.validUntil = windowEnd;
    block.exhaustedUntil = 0;
    const ceiling = Math.max(1, Math.min(this.options.maxBlock ?? 1000, 10_000, Math.floor(grant.limit / 20)));
    block.want = Math.min(ceiling, grant.granted < want ? want : want * 2);
  }
}

function secondsUntil(instant: number, now: number): number {
  return Math.max(0, Math.ceil((instant - now) / 1000));
}
