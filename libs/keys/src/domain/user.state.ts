import { StoredEvent, eventsOf } from '@keyward/event-store';
import { KeywardEvent, KeywardEvents } from '../events/keyward-events';

export interface UserState {
  userId: string;
  companyId: string;
  email: string;
  name: string;
  permissions: string[];
  disabled: boolean;
  version: number;
}

export function foldUser(events: StoredEvent[]): UserState | null {
  let s: UserState | null = null;
  for (const e of eventsOf<KeywardEvents>(events)) {
    if (e.type === KeywardEvent.UserCreated) {
      const d = e.data;
      s = { userId: d.userId, companyId: e.companyId!, email: d.email, name: d.name, permissions: d.permissions, disabled: d.disabled, version: 0 };
    } else if (e.type === KeywardEvent.UserUpdated && s) {
      Object.assign(s, e.data.changes);
    }
    if (s) s.version = e.streamVersion;
  }
  return s;
}
