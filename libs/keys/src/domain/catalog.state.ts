import { StoredEvent, eventsOf } from '@keyward/event-store';
import { KeywardEvent, KeywardEvents } from '../events/keyward-events';

export interface CatalogRole {
  name: string;
  description: string | null;
  permissions: string[];
}

/** A company's own permissions and roles, as its catalog stream tells them. */
export interface CatalogState {
  permissions: Map<string, { description: string | null }>;
  roles: Map<string, CatalogRole>;
  /** 0: no catalog event yet. */
  version: number;
}

export function foldCatalog(events: StoredEvent[]): CatalogState {
  const s: CatalogState = { permissions: new Map(), roles: new Map(), version: 0 };
  for (const e of eventsOf<KeywardEvents>(events)) {
    switch (e.type) {
      case KeywardEvent.PermissionDefined: {
        const d = e.data;
        s.permissions.set(d.name, { description: d.description });
        break;
      }
      case KeywardEvent.PermissionRemoved: {
        const d = e.data;
        s.permissions.delete(d.name);
        for (const role of s.roles.values()) role.permissions = role.permissions.filter((p) => p !== d.name);
        break;
      }
      case KeywardEvent.RoleDefined: {
        const d = e.data;
        s.roles.set(d.name, { name: d.name, description: d.description, permissions: d.permissions });
        break;
      }
      case KeywardEvent.RoleUpdated: {
        const d = e.data;
        const role = s.roles.get(d.name);
        if (role) Object.assign(role, d.changes);
        break;
      }
      case KeywardEvent.RoleDeleted:
        s.roles.delete(e.data.name);
        break;
    }
    s.version = e.streamVersion;
  }
  return s;
}
