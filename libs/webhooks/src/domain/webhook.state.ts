import { StoredEvent, eventsOf } from '@keyward/event-store';
import { WebhookEvent, WebhookEvents } from '../events/webhook-events';

/** One webhook, as its stream tells it. */
export interface WebhookState {
  id: string;
  companyId: string;
  version: number;
  url: string;
  events: string[];
  description: string | null;
  createdAt: Date;
  deleted: boolean;
}

export function foldWebhook(events: StoredEvent[]): WebhookState | null {
  let s: WebhookState | null = null;
  for (const e of eventsOf<WebhookEvents>(events)) {
    if (e.type === WebhookEvent.WebhookCreated) {
      const d = e.data;
      s = { id: d.webhookId, companyId: e.companyId!, version: 0, url: d.url, events: d.events, description: d.description, createdAt: e.occurredAt, deleted: false };
    } else if (e.type === WebhookEvent.WebhookDeleted && s) {
      s.deleted = true;
    }
    if (s) s.version = e.streamVersion;
  }
  return s;
}
