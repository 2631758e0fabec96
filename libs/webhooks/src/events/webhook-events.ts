/**
 * Events of a company's webhooks (one stream per webhook). Names are written to the log and never
 * change. A webhook's URL is in its events (the receiver's address, not a secret of Keyward's):
 * a URL with credentials in it is refused at creation.
 */
export const WebhookEvent = {
  WebhookCreated: 'WebhookCreated',
  WebhookDeleted: 'WebhookDeleted',
} as const;
export type WebhookEventType = (typeof WebhookEvent)[keyof typeof WebhookEvent];

export const webhookStream = (webhookId: string) => `webhook-${webhookId}`;

/** `"*"`: every event of the company, in log order (an audit stream). */
export const EVERY_EVENT = '*';

export interface WebhookCreatedData {
  webhookId: string;
  url: string;
  /** Event types delivered, or `["*"]`. */
  events: string[];
  description: string | null;
}

export interface WebhookDeletedData {
  webhookId: string;
}

/** Each webhook event's data by its name: a stored event narrows by `type` (StoredEventOf<WebhookEvents>). */
export type WebhookEvents = {
  WebhookCreated: WebhookCreatedData;
  WebhookDeleted: WebhookDeletedData;
};
