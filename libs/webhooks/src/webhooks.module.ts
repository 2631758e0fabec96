import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule, ProjectionMode, writeKernelProviders } from '@keyward/event-store';
import { QueueModule } from '@keyward/queue';
import { OutboundSecrets, SecretsVault } from '@keyward/system';
import { CreateWebhookHandler } from './commands/create-webhook/create-webhook.handler';
import { DeliverWebhookHandler } from './commands/deliver-webhook/deliver-webhook.handler';
import { SweepWebhooksHandler } from './commands/sweep-webhooks/sweep-webhooks.handler';
import { DeleteWebhookHandler } from './commands/delete-webhook/delete-webhook.handler';
import { TestWebhookHandler } from './commands/test-webhook/test-webhook.handler';
import { WebhookDeliveryLog } from './delivery/webhook-delivery-log';
import { WebhookDispatcher } from './delivery/webhook-dispatcher';
import { WebhookSweep } from './delivery/webhook-sweep';
import { ListDeliveriesHandler } from './queries/list-deliveries/list-deliveries.handler';
import { ListWebhooksHandler } from './queries/list-webhooks/list-webhooks.handler';

const DELIVERY = [SecretsVault, OutboundSecrets, WebhookDeliveryLog, WebhookDispatcher];

/**
 * Webhooks: their commands and queries (the API, the command line). Needs, in the importing
 * application, the Redis module and a ProjectorModule with WebhooksProjection.
 */
@Module({})
export class WebhooksModule {
  /** 'wait' (the API) or 'inline' (the command line): as KeysModule.register. */
  static register(mode: ProjectionMode): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [CqrsModule, EventStoreModule, QueueModule],
      providers: [
        ...writeKernelProviders(mode),
        ...DELIVERY,
        CreateWebhookHandler,
        DeleteWebhookHandler,
        TestWebhookHandler,
        ListWebhooksHandler,
        ListDeliveriesHandler,
      ],
      exports: [CqrsModule],
    };
  }
}

/** What the worker runs of it: deliveries and the sweep, as commands. */
@Module({
  imports: [CqrsModule, EventStoreModule, QueueModule],
  providers: [...DELIVERY, WebhookSweep, DeliverWebhookHandler, SweepWebhooksHandler],
  exports: [CqrsModule],
})
export class WebhooksWorkerModule {}
