import { StoredEvent, eventsOf } from '@keyward/event-store';
import { KeyCreatedData, KeySettings, KeywardEvent, KeywardEvents } from '../events/keyward-events';

/** A key as its own stream tells it: what commands decide on. */
export interface KeyState extends Required<KeySettings> {
  keyId: string;
  companyId: string;
  ownerId: string;
  type: KeyCreatedData['type'];
  start: string;
  version: number;
  revoked: boolean;
  expired: boolean;
  deleted: boolean;
  replacedBy: string | null;
  graceEndsAt: string | null;
  createdAt: Date;
}

export function foldKey(events: StoredEvent[]): KeyState | null {
  let s: KeyState | null = null;
  for (const e of eventsOf<KeywardEvents>(events)) {
    switch (e.type) {
      case KeywardEvent.KeyCreated: {
        const d = e.data;
        s = {
          keyId: d.keyId,
          companyId: e.companyId!,
          ownerId: d.ownerId,
          type: d.type,
          start: d.start,
          name: d.name,
          description: d.description,
          permissions: d.permissions,
          expiresAt: d.expiresAt,
          allowedIps: d.allowedIps,
          rateLimit: d.rateLimit,
          roles: d.roles ?? [],
          meta: d.meta ?? {},
          externalId: d.externalId ?? null,
          version: e.streamVersion,
          revoked: false,
          expired: false,
          deleted: false,
          replacedBy: null,
          graceEndsAt: null,
          createdAt: e.occurredAt,
        };
        break;
      }
      case KeywardEvent.KeyUpdated:
        if (s) Object.assign(s, e.data.changes);
        break;
      case KeywardEvent.KeyRevoked:
        if (s) s.revoked = true;
        break;
      case KeywardEvent.KeyRotated:
        if (s) {
          const d = e.data;
          s.replacedBy = d.newKeyId;
          s.graceEndsAt = d.graceEndsAt;
        }
        break;
      case KeywardEvent.KeyExpired:
        if (s) s.expired = true;
        break;
      case KeywardEvent.KeyDeleted:
        if (s) s.deleted = true;
        break;
    }
    if (s) s.version = e.streamVersion;
  }
  return s;
}

/** Whether the key can still authenticate at `now` (ignoring its owner). */
export function isKeyLive(s: KeyState, now: number): boolean {
  if (s.deleted || s.revoked || s.expired) return false;
  if (s.expiresAt && Date.parse(s.expiresAt) <= now) return false;
  if (s.graceEndsAt && Date.parse(s.graceEndsAt) <= now) return false;
  return true;
}
