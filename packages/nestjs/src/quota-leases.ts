import { KeywardClient, QuotaGrant, RateLimitSetting } from './client';

export type QuotaDecision = Readonly<
  { allowed: true; limit: number; resetSeconds: number } | { allowed: false; limit: number; resetSeconds: number }
>;

export interface QuotaLeasesOptions {
  /** Largest block asked at once; default 1000 (Keyward takes 1..10000). */
  maxBlock?: number;
  now?: () => number;
}

interface Block {
  remaining: number;
  /** Monotonic end of the window the block was granted in: what is left then is lost. */
  validUntil: number;
  /** Keyward granted nothing: refused locally until then. */
  exhaustedUntil: number;
  want: number;
  limit: number;
  pending?: Promise<void>;
  /** The last allowing decision, handed out again while limit and reset are the same. */
  allowed?: QuotaDecision;
}

/**
 * Rate limits exact across services: a key's requests are spent from blocks taken out of its
 * window at Keyward (`POST /v1/keys/:id/quota`), never more than the limit in total. A block
 * starts at 1 request and doubles each time one is used up within a window (hot keys ask less
 * often), up to `maxBlock` and a twentieth of the limit. One request for a block per key at a
 * time; concurrent requests wait for it. Keyward granting 0 is a refusal until the window resets.
 */
export class QuotaLeases {
  private readonly blocks = new Map<string, Block>();
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<KeywardClient, 'takeQuota'>,
    private readonly options: QuotaLeasesOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Spends one request of the key: at once from the key's block (the common case, no promise), or
   * after asking Keyward for a block; the promise rejects with KeywardUnavailableError when a block
   * is needed and Keyward is away. Undefined: the key has no rate limit.
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
      // the same answer for every request of a second: nothing allocated per request
      if (block.allowed?.limit !== block.limit || block.allowed.resetSeconds !== resetSeconds) {
        block.allowed = { allowed: true, limit: block.limit, resetSeconds };
      }
      return block.allowed;
    }
    if (block.exhaustedUntil > now) return { allowed: false, limit: block.limit, resetSeconds: secondsUntil(block.exhaustedUntil, now) };
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
    if (!block) {
      block = { remaining: 0, validUntil: 0, exhaustedUntil: 0, want: 1, limit: setting.limit };
      this.blocks.set(keyId, block);
    }
    return block;
  }

  private async refill(keyId: string, block: Block): Promise<void> {
    const sentAt = this.now();
    const want = block.want;
    const grant: QuotaGrant = await this.client.takeQuota(keyId, want);
    const windowEnd = sentAt + Math.max(0, grant.resetSeconds * 1000 - 500);
    block.limit = grant.limit;
    if (grant.granted <= 0) {
      block.exhaustedUntil = sentAt + Math.max(1, grant.resetSeconds) * 1000;
      block.want = 1;
      return;
    }
    block.remaining += grant.granted;
    block.validUntil = windowEnd;
    block.exhaustedUntil = 0;
    const ceiling = Math.max(1, Math.min(this.options.maxBlock ?? 1000, 10_000, Math.floor(grant.limit / 20)));
    block.want = Math.min(ceiling, grant.granted < want ? want : want * 2);
  }
}

function secondsUntil(instant: number, now: number): number {
  return Math.max(0, Math.ceil((instant - now) / 1000));
}
