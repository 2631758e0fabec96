import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookEntity, insertRow, versionedUpdate } from '@keyward/database';
import { InlineProjection, ProjectedEvent, StoredEvent, eventsOf } from '@keyward/event-store';
import { QueueProducer } from '@keyward/queue';
import { WakeUps } from '../delivery/wake-ups';
import { EVERY_EVENT, WebhookEvent, WebhookEvents } from '../events/webhook-events';

const INLINE_TYPES: ReadonlySet<string> = new Set(Object.values(WebhookEvent));

/**
 * `webhooks`, applied with its events (a new webhook is listed the moment its creation returns,
 * without waiting for the worker), and the start of each webhook's delivery: its cursor begins at
 * its own WebhookCreated, so it receives what happens after it was created. After each batch the
 * projector applied, the webhooks with something new to send are woken.
 */
@Injectable()
export class WebhooksProjection implements InlineProjection {
  private readonly logger = new Logger(WebhooksProjection.name);
  readonly tables = ['webhooks'];
  readonly inlineTypes = INLINE_TYPES;
  /** In the background: the projector goes on with its next batch while Redis takes the wake-ups (or does not answer). */
  readonly wakeUps: WakeUps;

  constructor(
    private readonly dataSource: DataSource,
    producer: QueueProducer,
  ) {
    this.wakeUps = new WakeUps((id) => producer.wakeWebhook(id));
  }

  applyInline(m: EntityManager, events: StoredEvent[]): Promise<void> {
    return this.apply(m, events);
  }

  async apply(m: EntityManager, events: ProjectedEvent[]): Promise<void> {
    for (const e of eventsOf<WebhookEvents>(events)) {
      if (e.type === WebhookEvent.WebhookCreated) {
        const d = e.data;
        await insertRow(m, WebhookEntity, {
          id: d.webhookId,
          companyId: e.companyId!,
          url: d.url,
          events: d.events,
          description: d.description,
          createdAt: e.occurredAt,
          deletedAt: null,
          version: e.streamVersion,
        });
        // delivery state, not a read model: a rebuild finds it and keeps where delivery stands
        await m.query(
          `INSERT INTO webhook_cursors (webhook_id, company_id, delivered_position) VALUES ($1, $2, $3) ON CONFLICT (webhook_id) DO NOTHING`,
          [d.webhookId, e.companyId, e.position],
        );
      } else if (e.type === WebhookEvent.WebhookDeleted) {
        await versionedUpdate(m, WebhookEntity, e.data.webhookId, { deletedAt: e.occurredAt }, e);
      }
    }
  }

  async afterCommit(events: ProjectedEvent[]): Promise<void> {
    const typesByCompany = new Map<string, Set<string>>();
    for (const e of events) {
      if (!e.companyId) continue;
      let types = typesByCompany.get(e.companyId);
      if (!types) typesByCompany.set(e.companyId, (types = new Set()));
      types.add(e.type);
    }
    if (typesByCompany.size === 0) return;
    try {
      const hooks: { id: string; company_id: string; events: string[] }[] = await this.dataSource.query(
        'SELECT id, company_id, events FROM webhooks WHERE deleted_at IS NULL AND company_id = ANY($1::uuid[])',
        [[...typesByCompany.keys()]],
      );
      const concerned = hooks.filter((h) => {
        const types = typesByCompany.get(h.company_id)!;
        return h.events.includes(EVERY_EVENT) || h.events.some((t) => types.has(t));
      });
      this.wakeUps.request(concerned.map((h) => h.id));
    } catch (err) {
      this.logger.warn(`webhook wake-ups after a projected batch failed (the sweep will catch up): ${(err as Error).message}`);
    }
  }
}
