import { AuditExported } from '@keyward/audit';
import { KeywardEvent } from '@keyward/keys';
import { SystemEvent } from '@keyward/system';
import { WebhookEvent } from '@keyward/webhooks';

/** Every event type the log holds, from each lib's own list (filters and webhooks accept these). */
export const EVENT_TYPES: string[] = [...Object.values(KeywardEvent), ...Object.values(SystemEvent), AuditExported, ...Object.values(WebhookEvent)];
