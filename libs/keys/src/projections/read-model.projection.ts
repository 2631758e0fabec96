import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AUTH_CHANGES_CHANNEL } from '@keyward/auth';
import { ApiKeyEntity, CompanyEntity, UserEntity, insertRow, tableOf, versionedUpdate } from '@keyward/database';
import { EventStore, InlineProjection, ProjectedEvent, ProjectedEventOf, StoredEvent, eventsOf } from '@keyward/event-store';
import { KeywardEvent, KeywardEvents } from '../events/keyward-events';

/**
 * Companies, users and keys, as the API and the guard read them.
 *
 * Inline: every command's key, user and company events are applied in the transaction that
 * appends them, so what the guard reads (status, deletion, expiry and grace, owner's rights and
 * state) is current when the command commits — with the worker, Redis or both stopped, and
 * whatever long transaction holds the asynchronous projector back. Changes that can take rights
 * away also write an `auth_changes` row in that transaction, which every API instance applies to
 * its cache (CacheCoherenceService). The asynchronous projector applies the same events again
 * (and `KeyUsed`, which only moves `last_used_at`); rows carry their stream version and only an
 * event newer than the row changes it, so nothing is applied twice, and a rebuild from the log
 * gives the same rows.
 */
@Injectable()
export class KeysReadModelProjection implements InlineProjection {
  readonly tables = ['companies', 'users', 'api_keys', 'company_catalogs', 'company_permissions', 'company_roles'];
  readonly inlineTypes: ReadonlySet<string> = INLINE_TYPES;

  constructor(private readonly store: EventStore) {}

  async applyInline(m: EntityManager, events: StoredEvent[]): Promise<void> {
    for (const stream of new Set(events.map((e) => e.streamId))) {
      const first = events.find((e) => e.streamId === stream)!;
      await this.catchUpStream(m, first);
    }
    const typed = eventsOf<KeywardEvents>(events);
    for (const e of typed) await applyToReadModel(m, e);

    const keyIds = typed.flatMap((e) => (TAKES_KEY_RIGHTS.has(e.type) && 'keyId' in e.data ? [e.data.keyId] : []));
    // UserUpdated: the owner's rights or state may have changed (all of its keys follow)
    const ownerIds = typed.flatMap((e) => (e.type === KeywardEvent.UserUpdated ? [e.data.userId] : []));
    // a role or permission change reaches every key of the company that may hold it
    const wholeCompany = events.some((e) => TAKES_COMPANY_RIGHTS.has(e.type));
    if (keyIds.length === 0 && ownerIds.length === 0 && !wholeCompany) return;
    // a command acts within one company; under the append lock seq follows commit order, and the
    // notification is delivered at commit
    await m.query(
      `WITH change AS (INSERT INTO auth_changes (company_id, key_ids, owner_ids, whole_company)
                       VALUES ($1, $2::uuid[], $3::uuid[], $4) RETURNING seq)
       SELECT pg_notify($5, seq::text) FROM change`,
      [events[0].companyId, keyIds, ownerIds, wholeCompany, AUTH_CHANGES_CHANNEL],
    );
  }

  /**
   * A row behind the event about to be applied (events appended before inline projection
   * existed and not projected yet) first gets the events it missed, in stream order.
   */
  private async catchUpStream(m: EntityManager, first: StoredEvent): Promise<void> {
    const prefix = first.streamId.slice(0, first.streamId.indexOf('-'));
    const row = VERSIONED_ROWS[prefix];
    if (!row || first.streamVersion === 1) return;
    const id = first.streamId.slice(prefix.length + 1);
    const rows: { version: number }[] = await m.query(`SELECT version FROM ${row.table} WHERE ${row.id} = $1`, [id]);
    const have = rows[0]?.version ?? 0;
    if (have >= first.streamVersion - 1) return;
    const missed = (await this.store.readStream(first.streamId, m)).filter(
      (e) => e.streamVersion > have && e.streamVersion < first.streamVersion,
    );
    for (const e of eventsOf<KeywardEvents>(missed)) await applyToReadModel(m, e);
  }

  async apply(m: EntityManager, events: ProjectedEvent[]): Promise<void> {
    // usage is folded into one statement per batch: last use only moves forward
    const lastUsed = new Map<string, Date>();
    for (const e of eventsOf<KeywardEvents>(events)) {
      if (e.type === KeywardEvent.KeyUsed) {
        const keyId = e.data.keyId;
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

/** The rows that carry their stream's version, by stream prefix. */
const VERSIONED_ROWS: Record<string, { table: string; id: string }> = {
  key: { table: tableOf(ApiKeyEntity), id: 'id' },
  user: { table: tableOf(UserEntity), id: 'id' },
  catalog: { table: 'company_catalogs', id: 'company_id' },
};

/** Applied in the appending transaction; KeyUsed (last use) is left to the asynchronous projector. */
const INLINE_TYPES = new Set<string>([
  KeywardEvent.CompanyCreated,
  KeywardEvent.UserCreated,
  KeywardEvent.UserUpdated,
  KeywardEvent.KeyCreated,
  KeywardEvent.KeyUpdated,
  KeywardEvent.KeyRevoked,
  KeywardEvent.KeyRotated,
  KeywardEvent.KeyExpired,
  KeywardEvent.KeyDeleted,
  KeywardEvent.PermissionDefined,
  KeywardEvent.PermissionRemoved,
  KeywardEvent.RoleDefined,
  KeywardEvent.RoleUpdated,
  KeywardEvent.RoleDeleted,
]);
/** Changes to a company's roles or permissions: every cached key of the company is dropped. */
const TAKES_COMPANY_RIGHTS = new Set<string>([KeywardEvent.PermissionRemoved, KeywardEvent.RoleUpdated, KeywardEvent.RoleDeleted]);
/** Whether the event can take rights away from a key an API instance may have cached. */
export function takesKeyRights(e: { type: string }): boolean {
  return TAKES_KEY_RIGHTS.has(e.type) || TAKES_COMPANY_RIGHTS.has(e.type) || e.type === KeywardEvent.UserUpdated;
}

const TAKES_KEY_RIGHTS = new Set<string>([
  KeywardEvent.KeyUpdated,
  KeywardEvent.KeyRevoked,
  KeywardEvent.KeyRotated,
  KeywardEvent.KeyExpired,
  KeywardEvent.KeyDeleted,
]);

/**
 * Applies one event to the companies, users and api_keys tables. Every value comes
 * from the event (timestamps included), so a rebuild produces the same rows. A row already at
 * (or past) the event's stream version is left alone: applying an event twice — inline, then
 * by the projector — changes nothing.
 */
export async function applyToReadModel(m: EntityManager, e: ProjectedEventOf<KeywardEvents>): Promise<void> {
  const at = e.occurredAt;
  switch (e.type) {
    case KeywardEvent.CompanyCreated: {
      const d = e.data;
      await insertRow(m, CompanyEntity, { id: d.companyId, name: d.name, createdAt: at, updatedAt: at });
      return;
    }
    case KeywardEvent.UserCreated: {
      const d = e.data;
      await insertRow(m, UserEntity, {
        id: d.userId,
        companyId: e.companyId!,
        email: d.email,
        name: d.name,
        permissions: d.permissions,
        disabled: d.disabled,
        createdAt: at,
        updatedAt: at,
        version: e.streamVersion,
      });
      return;
    }
    case KeywardEvent.UserUpdated: {
      const d = e.data;
      await versionedUpdate(m, UserEntity, d.userId, d.changes, e);
      return;
    }
    case KeywardEvent.KeyCreated: {
      const d = e.data;
      await insertRow(m, ApiKeyEntity, {
        id: d.keyId,
        companyId: e.companyId!,
        ownerId: d.ownerId,
        name: d.name,
        description: d.description,
        start: d.start,
        hash: d.hash,
        type: d.type,
        permissions: d.permissions,
        status: 'active',
        createdAt: at,
        updatedAt: at,
        expiresAt: d.expiresAt === null ? null : new Date(d.expiresAt),
        revokedAt: null,
        revokedReason: null,
        deletedAt: null,
        lastUsedAt: null,
        allowedIps: d.allowedIps,
        rateLimit: d.rateLimit,
        rotatedFrom: d.rotatedFrom,
        replacedBy: null,
        graceEndsAt: null,
        roles: d.roles ?? [],
        meta: d.meta ?? {},
        externalId: d.externalId ?? null,
        version: e.streamVersion,
      });
      return;
    }
    case KeywardEvent.KeyUpdated: {
      const d = e.data;
      await versionedUpdate(m, ApiKeyEntity, d.keyId, d.changes, e);
      return;
    }
    case KeywardEvent.KeyRevoked: {
      const d = e.data;
      await versionedUpdate(m, ApiKeyEntity, d.keyId, { status: 'revoked', revokedAt: at, revokedReason: d.reason }, e);
      return;
    }
    case KeywardEvent.KeyRotated: {
      const d = e.data;
      await versionedUpdate(m, ApiKeyEntity, d.keyId, { replacedBy: d.newKeyId, graceEndsAt: new Date(d.graceEndsAt) }, e);
      return;
    }
    case KeywardEvent.KeyExpired: {
      await m.query(
        `UPDATE api_keys SET status = CASE WHEN status = 'active' THEN 'expired' ELSE status END,
                updated_at = CASE WHEN status = 'active' THEN $2 ELSE updated_at END, version = $3
          WHERE id = $1 AND version < $3`,
        [e.data.keyId, at, e.streamVersion],
      );
      return;
    }
    case KeywardEvent.KeyDeleted: {
      await versionedUpdate(m, ApiKeyEntity, e.data.keyId, { deletedAt: at }, e);
      return;
    }
    case KeywardEvent.PermissionDefined:
    case KeywardEvent.PermissionRemoved:
    case KeywardEvent.RoleDefined:
    case KeywardEvent.RoleUpdated:
    case KeywardEvent.RoleDeleted:
      await applyToCatalog(m, e);
      return;
    default:
      return; // events other read models care about
  }
}

/**
 * A company's permissions and roles. The catalog's version guards the whole event: one already
 * applied (inline, then again by the projector) changes nothing, including what it did to keys.
 */
async function applyToCatalog(m: EntityManager, e: ProjectedEventOf<KeywardEvents>): Promise<void> {
  const companyId = e.companyId!;
  const moved: unknown[] = await m.query(
    `INSERT INTO company_catalogs (company_id, version) VALUES ($1, $2)
     ON CONFLICT (company_id) DO UPDATE SET version = excluded.version WHERE company_catalogs.version < excluded.version
     RETURNING company_id`,
    [companyId, e.streamVersion],
  );
  if (moved.length === 0) return;
  const at = e.occurredAt;
  switch (e.type) {
    case KeywardEvent.PermissionDefined: {
      const d = e.data;
      await m.query(
        `INSERT INTO company_permissions (company_id, name, description, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (company_id, name) DO UPDATE SET description = excluded.description, created_at = excluded.created_at`,
        [companyId, d.name, d.description, at],
      );
      return;
    }
    case KeywardEvent.PermissionRemoved: {
      const d = e.data;
      await m.query('DELETE FROM company_permissions WHERE company_id = $1 AND name = $2', [companyId, d.name]);
      await m.query(
        `UPDATE company_roles SET permissions = array_remove(permissions, $2), updated_at = $3
          WHERE company_id = $1 AND name = ANY($4::text[])`,
        [companyId, d.name, at, d.roles],
      );
      await m.query(`UPDATE api_keys SET permissions = array_remove(permissions, $2), updated_at = $3 WHERE id = ANY($1::uuid[])`, [
        d.keyIds,
        d.name,
        at,
      ]);
      return;
    }
    case KeywardEvent.RoleDefined: {
      const d = e.data;
      await m.query(
        `INSERT INTO company_roles (company_id, name, description, permissions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (company_id, name) DO UPDATE SET description = excluded.description, permissions = excluded.permissions,
           created_at = excluded.created_at, updated_at = excluded.updated_at`,
        [companyId, d.name, d.description, d.permissions, at],
      );
      return;
    }
    case KeywardEvent.RoleUpdated: {
      const d = e.data;
      await m.query(
        `UPDATE company_roles SET description = CASE WHEN $3 THEN $4 ELSE description END,
                permissions = COALESCE($5::text[], permissions), updated_at = $6
          WHERE company_id = $1 AND name = $2`,
        [companyId, d.name, 'description' in d.changes, d.changes.description ?? null, d.changes.permissions ?? null, at],
      );
      return;
    }
    case KeywardEvent.RoleDeleted: {
      const d = e.data;
      await m.query('DELETE FROM company_roles WHERE company_id = $1 AND name = $2', [companyId, d.name]);
      await m.query(`UPDATE api_keys SET roles = array_remove(roles, $2), updated_at = $3 WHERE id = ANY($1::uuid[])`, [d.keyIds, d.name, at]);
      return;
    }
  }
}
