import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { REDIS, RedisClient } from '@keyward/queue';

const CLOSE_ALL = `
local slots = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 1, #slots do redis.call('DEL', slots[i]) end
redis.call('DEL', KEYS[1])
return #slots`;

/** The cookie that lets a browser open /admin/queues: a random token, never the key. */
export const DASHBOARD_COOKIE = 'keyward_dashboard';
export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_SESSION_SECONDS = 900;

/**
 * A browser cannot send a key header when it follows a link, so the console asks for a
 * short-lived dashboard session instead: Redis holds SHA-256(token) → key id for 15
 * minutes, and every dashboard request checks that key again (revoked, deleted, expired,
 * disabled owner or lost permission ends the session at once).
 */
@Injectable()
export class DashboardSessions {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.prefix = `${config.redisPrefix}:dashboard-session:`;
  }

  async open(keyId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const slot = this.slot(token);
    const now = Date.now();
    const expiresAt = now + DASHBOARD_SESSION_SECONDS * 1000;
    // the key's sessions, scored by expiry: expired ones are dropped here, so the set stays small
    await this.redis
      .multi()
      .set(slot, keyId, 'EX', DASHBOARD_SESSION_SECONDS)
      .zremrangebyscore(this.ofKey(keyId), '-inf', now)
      .zadd(this.ofKey(keyId), expiresAt, slot)
      .expire(this.ofKey(keyId), DASHBOARD_SESSION_SECONDS)
      .exec();
    return { token, expiresAt: new Date(expiresAt) };
  }

  /** The key a session was opened with; null when unknown or expired. */
  async keyIdOf(token: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    return this.redis.get(this.slot(token));
  }

  /**
   * Ends every dashboard session opened with this key (the console's sign-out), in one
   * script: a session opened at the same moment is either ended too or opened after it.
   * (On a Redis Cluster the session slots and the set share Keyward's hash tag: one slot.)
   */
  async closeAllOf(keyId: string): Promise<number> {
    const ended = await this.redis.eval(CLOSE_ALL, 1, this.ofKey(keyId));
    return Number(ended);
  }

  private slot(token: string): string {
    return this.prefix + createHash('sha256').update(token).digest('hex');
  }

  private ofKey(keyId: string): string {
    return `${this.prefix}key:${keyId}`;
  }
}

/** One cookie's value from a Cookie header (no other cookie is read). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
