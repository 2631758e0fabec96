import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SweepResult, WebhookSweep } from '../../delivery/webhook-sweep';
import { SweepWebhooksCommand } from './sweep-webhooks.command';

@CommandHandler(SweepWebhooksCommand)
export class SweepWebhooksHandler implements ICommandHandler<SweepWebhooksCommand> {
  constructor(private readonly sweep: WebhookSweep) {}

  execute(): Promise<SweepResult> {
    return this.sweep.run();
  }
}
