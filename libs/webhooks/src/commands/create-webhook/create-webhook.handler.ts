import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { CommandWriter } from '@keyward/event-store';
import { OutboundSecrets } from '@keyward/system';
import { checkTarget, webhookUrlProblem } from '../../delivery/webhook-target';
import { EVERY_EVENT, WebhookCreatedData, WebhookEvent, webhookStream } from '../../events/webhook-events';
import { findWebhook } from '../../queries/webhook-rows';
import { WebhookResource } from '../../queries/webhook-resources';
import { CreateWebhookCommand } from './create-webhook.command';

/** Webhooks one company may have at once. */
export const MAX_WEBHOOKS_PER_COMPANY = 25;

@CommandHandler(CreateWebhookCommand)
export class CreateWebhookHandler implements ICommandHandler<CreateWebhookCommand> {
  constructor(
    private readonly writer: CommandWriter,
    private readonly secrets: OutboundSecrets,
    private readonly dataSource: DataSource,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute({ ctx, input }: CreateWebhookCommand): Promise<WebhookResource> {
    const urlProblem = webhookUrlProblem(input.url);
    if (urlProblem) throw Problem.invalidField('url', urlProblem);
    const events = [...new Set(input.events)];
    if (events.length === 0) throw Problem.invalidField('events', 'must name at least one event type, or "*" for every event');
    if (events.includes(EVERY_EVENT) && events.length > 1) throw Problem.invalidField('events', '"*" already means every event: give it alone');
    try {
      await checkTarget(new URL(input.url), this.config.webhooks.allowPrivate);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'WEBHOOK_TARGET_REFUSED' && code !== 'WEBHOOK_TARGET_UNRESOLVABLE') throw err;
      throw new Problem(422, code, `url: ${(err as Error).message}`, [{ field: 'url', message: (err as Error).message }]);
    }
    if (!(await this.secrets.exists(ctx.companyId))) {
      throw new Problem(
        409,
        'SHARED_SECRET_REQUIRED',
        "deliveries are signed with the company's shared secret, and it has none: create it with POST /v1/shared-secret/rotate, then retry",
      );
    }
    const [{ n }]: { n: number }[] = await this.dataSource.query('SELECT count(*)::int AS n FROM webhooks WHERE company_id = $1 AND deleted_at IS NULL', [
      ctx.companyId,
    ]);
    if (n >= MAX_WEBHOOKS_PER_COMPANY) {
      throw new Problem(409, 'WEBHOOK_LIMIT_REACHED', `a company has at most ${MAX_WEBHOOKS_PER_COMPANY} webhooks: delete one first`);
    }
    const webhookId = randomUUID();
    const stream = webhookStream(webhookId);
    const data: WebhookCreatedData = { webhookId, url: input.url, events, description: input.description ?? null };
    await this.writer.appendAndSettle(ctx, [{ streamId: stream, type: WebhookEvent.WebhookCreated, data }], { expectedVersions: { [stream]: 0 } });
    const created = await findWebhook(this.dataSource.manager, ctx.companyId, webhookId);
    if (!created) throw new Error(`webhook ${webhookId} was appended but is not in the read model`);
    return created;
  }
}
