import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { publishInvalidation } from '@keyward/auth';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { REDIS } from '@keyward/queue';
import { EntityManager } from 'typeorm';
import { Projection, StoredEvent } from '@keyward/event-store';
import {
  CompanyCreatedData,
  KeyCreatedData,
  KeyRevokedData,
  KeyRotatedData,
  KeyUpdatedData,
  KeyUsedData,
  KeywardEvent,
  UserCreatedData,
  UserUpdatedData,
} from '../events/keyward-events';

/** Companies, users and keys, as the API and the guard read them. */
@Injectable()
export class KeysReadModelProjection implements Projection {
  readonly tables = ['companies', 'users', 'api_keys'];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  /**
   * Changes that take rights away reach every instance's cache from here too, so they
   * hold even when the write that made them could not wait for the projector.
   */
  async afterCommit(events: StoredEvent[]): Promise<void> {
    const keyIds = events.filter((e) => TAKES_KEY_RIGHTS.has(e.type)).map((e) => (e.data as { keyId: string }).keyId);
    const ownerIds = events.filter((e) => e.type === KeywardEvent.UserUpdated).map((e) => (e.data as { userId: string }).userId);
    if (keyIds.length === 0 && ownerIds.length === 0) return;
    await publishInvalidation(this.redis, this.config.redisPrefix, { keyIds, ownerIds });
  }

  async apply(m: EntityManager, events: StoredEvent[]): Promise<void> {
    // usage is folded into one statement per batch: last use only moves forward
    const lastUsed = new Map<string, Date>();
    for (const e of events) {
      if (e.type === KeywardEvent.KeyUsed) {
        const keyId = (e.data as unknown as KeyUsedData).keyId;
        const seen = lastUsed.get(keyId);
        if (!seen || seen < e.occurredAt) lastUsed.set(keyId, e.occurredAt);
      } else {
        await applyToReadModel(m, e);
      }
    }
    if (lastUsed.size > 0) {
      await m.query(
        `UPDATE api_keys k SET last_used_at = GREATEST(COALESCE(k.last_used_at, '-infinity'::timestamptz), u.at)
           FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at) WHERE k.id = u.id`,
        [[...lastUsed.keys()], [...lastUsed.values()]],
      );
    }
  }
}

const KEY_COLUMNS: Record<string, string> = {
  name: 'name',
  description: 'description',
  permissions: 'permissions',
  expiresAt: 'expires_at',
  allowedIps: 'allowed_ips',
  rateLimit: 'rate_limit',
};
const USER_COLUMNS: Record<string, string> = { name: 'name', permissions: 'permissions', disabled: 'disabled' };
const TAKES_KEY_RIGHTS = new Set<string>([
  KeywardEvent.KeyUpdated,
  KeywardEvent.KeyRevoked,
  KeywardEvent.KeyRotated,
  KeywardEvent.KeyExpired,
  KeywardEvent.KeyDeleted,
]);

/** Columns that cannot be cleared: a null change to them (refused by the API) is ignored, never a stuck projector. */
const NOT_NULL = new Set(['name', 'permissions', 'allowed_ips', 'disabled']);

/**
 * Applies one event to the companies, users and api_keys tables. Every value comes
 * from the event (timestamps included), so a rebuild produces the same rows.
 */
export async function applyToReadModel(m: EntityManager, e: StoredEvent): Promise<void> {
  const at = e.occurredAt;
  switch (e.type) {
    case KeywardEvent.CompanyCreated: {
      const d = e.data as unknown as CompanyCreatedData;
      await m.query(
        `INSERT INTO companies (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (id) DO NOTHING`,
        [d.companyId, d.name, at],
      );
      return;
    }
    case KeywardEvent.UserCreated: {
      const d = e.data as unknown as UserCreatedData;
      await m.query(
        `INSERT INTO users (id, company_id, email, name, permissions, disabled, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (id) DO NOTHING`,
        [d.userId, e.companyId, d.email, d.name, d.permissions, d.disabled, at, e.streamVersion],
      );
      return;
    }
    case KeywardEvent.UserUpdated: {
      const d = e.data as unknown as UserUpdatedData;
      await updateRow(m, 'users', d.userId, USER_COLUMNS, d.changes, e);
      return;
    }
    case KeywardEvent.KeyCreated: {
      const d = e.data as unknown as KeyCreatedData;
      await m.query(
        `INSERT INTO api_keys (id, company_id, owner_id, name, description, start, hash, type, permissions, status,
                               created_at, updated_at, expires_at, allowed_ips, rate_limit, rotated_from, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (id) DO NOTHING`,
        [
          d.keyId, e.companyId, d.ownerId, d.name, d.description, d.start, d.hash, d.type, d.permissions,
          at, d.expiresAt, d.allowedIps, d.rateLimit === null ? null : JSON.stringify(d.rateLimit),
          d.rotatedFrom, e.streamVersion,
        ],
      );
      return;
    }
    case KeywardEvent.KeyUpdated: {
      const d = e.data as unknown as KeyUpdatedData;
      await updateRow(m, 'api_keys', d.keyId, KEY_COLUMNS, d.changes, e);
      return;
    }
    case KeywardEvent.KeyRevoked: {
      const d = e.data as unknown as KeyRevokedData;
      await m.query(
        `UPDATE api_keys SET status = 'revoked', revoked_at = $2, revoked_reason = $3, updated_at = $2, version = $4
          WHERE id = $1`,
        [d.keyId, at, d.reason, e.streamVersion],
      );
      return;
    }
    case KeywardEvent.KeyRotated: {
      const d = e.data as unknown as KeyRotatedData;
      await m.query(
        `UPDATE api_keys SET replaced_by = $2, grace_ends_at = $3, updated_at = $4, version = $5 WHERE id = $1`,
        [d.keyId, d.newKeyId, d.graceEndsAt, at, e.streamVersion],
      );
      return;
    }
    case KeywardEvent.KeyExpired: {
      await m.query(
        `UPDATE api_keys SET status = 'expired', updated_at = $2, version = $3 WHERE id = $1 AND status = 'active'`,
        [(e.data as { keyId: string }).keyId, at, e.streamVersion],
      );
      return;
    }
    case KeywardEvent.KeyDeleted: {
      await m.query(`UPDATE api_keys SET deleted_at = $2, updated_at = $2, version = $3 WHERE id = $1`, [
        (e.data as { keyId: string }).keyId,
        at,
        e.streamVersion,
      ]);
      return;
    }
    default:
      return; // events other read models care about
  }
}

async function updateRow(
  m: EntityManager,
  table: 'users' | 'api_keys',
  id: string,
  columns: Record<string, string>,
  changes: Record<string, unknown>,
  e: StoredEvent,
): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [id, e.occurredAt, e.streamVersion];
  for (const [field, value] of Object.entries(changes)) {
    const column = columns[field];
    if (!column || (value === null && NOT_NULL.has(column))) continue;
    params.push(field === 'rateLimit' && value !== null ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}`);
  }
  await m.query(
    `UPDATE ${table} SET ${[...sets, 'updated_at = $2', 'version = $3'].join(', ')} WHERE id = $1`,
    params,
  );
}
