import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import { CreateWebhookCommand, DeleteWebhookCommand, ListDeliveriesQuery, ListWebhooksQuery, TestWebhookCommand } from '@keyward/webhooks';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { Ctx } from '../http/command-context.decorator';
import { PaginationDto } from '../http/pagination.dto';
import { uuidParam } from '../http/validation';
import { CreateWebhookDto, WebhookDeliveryList, WebhookList, WebhookResponse, WebhookTestResponse } from './webhooks.dto';

const uuid = uuidParam();

/**
 * The company's webhooks: events POSTed to a receiver as they happen, signed with the company's
 * shared secret (Keyward-Signature), at least once and in log order, retried until delivered.
 */
@ApiTags('webhooks')
@ApiKeyAuth()
@RequirePermissions('admin.system.api')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a webhook: events after this instant are delivered to its URL' })
  @ApiCreatedResponse({ type: WebhookResponse })
  @ApiConflictResponse({ description: 'SHARED_SECRET_REQUIRED (deliveries are signed with it); WEBHOOK_LIMIT_REACHED' })
  @ApiUnprocessableEntityResponse({ description: 'WEBHOOK_TARGET_REFUSED (non-public address), WEBHOOK_TARGET_UNRESOLVABLE (field url)' })
  create(@Ctx() ctx: CommandContext, @Body() body: CreateWebhookDto) {
    return this.commands.execute(new CreateWebhookCommand(ctx, body));
  }

  @Get()
  @ApiOperation({ summary: "The company's webhooks with where each one's delivery stands" })
  @ApiOkResponse({ type: WebhookList })
  list(@CurrentPrincipal() p: Principal, @Query() q: PaginationDto) {
    return this.queries.execute(new ListWebhooksQuery(p.companyId, { limit: q.limit ?? 50, cursor: q.cursor }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook: nothing more is sent to it; its delivery log stays readable' })
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string): Promise<void> {
    await this.commands.execute(new DeleteWebhookCommand(ctx, id));
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a signed WebhookTest event now and answer how the receiver took it (logged as a test attempt)' })
  @ApiOkResponse({ type: WebhookTestResponse })
  test(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string) {
    return this.commands.execute(new TestWebhookCommand(ctx, id));
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "A webhook's delivery attempts, newest first: status, duration, error" })
  @ApiOkResponse({ type: WebhookDeliveryList })
  deliveries(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Query() q: PaginationDto) {
    return this.queries.execute(new ListDeliveriesQuery(p.companyId, id, { limit: q.limit ?? 50, cursor: q.cursor }));
  }
}
