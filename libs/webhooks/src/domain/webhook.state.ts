import { StoredEvent } from '@keyward/event-store';
import { WebhookCreatedData, WebhookEvent } from '../events/webhook-events';

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
  for (const e of events) {
    if (e.type === WebhookEvent.WebhookCreated) {
      const d = e.data as unknown as WebhookCreatedData;
      s = { id: d.webhookId, companyId: e.companyId!, version: 0, url: d.url, events: d.events, description: d.description, createdAt: e.occurredAt, deleted: false };
    } else if (e.type === WebhookEvent.WebhookDeleted && s) {
      s.deleted = true;
    }
    if (s) s.version = e.streamVersion;
  }
  return s;
}
