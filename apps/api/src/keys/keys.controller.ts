import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, RequirePermissions, routeOf } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { CommandContext } from '@keyward/event-store';
import {
  CreateKeyCommand,
  DeleteKeyCommand,
  GetKeyQuery,
  ListKeysQuery,
  RevokeKeyCommand,
  RotateKeyCommand,
  TakeQuotaCommand,
  UpdateKeyCommand,
  VerifyKeyQuery,
} from '@keyward/keys';
import { uuidParam } from '../http/validation';
import { Ctx } from '../http/command-context.decorator';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { ShowsSecret } from '../http/shows-secret.decorator';
import {
  CreateKeyDto,
  CreatedKeyResponse,
  KeyPage,
  KeyResponse,
  ListKeysQueryDto,
  QuotaDto,
  QuotaResponse,
  RevokeKeyDto,
  RotateKeyDto,
  UpdateKeyDto,
  VerifyKeyDto,
  VerifyKeyResponse,
} from './keys.dto';

const uuid = uuidParam();

@ApiTags('keys')
@ApiKeyAuth()
@Controller('v1/keys')
export class KeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequirePermissions('keys:write')
  @ShowsSecret()
  @ApiOperation({ summary: 'Create a key; the key itself is in this response only' })
  @ApiCreatedResponse({ type: CreatedKeyResponse })
  create(@Ctx() ctx: CommandContext, @Body() body: CreateKeyDto) {
    return this.commands.execute(new CreateKeyCommand(ctx, body));
  }

  @Get()
  @RequirePermissions('keys:read')
  @ApiOperation({ summary: 'List keys, newest first' })
  @ApiOkResponse({ type: KeyPage })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListKeysQueryDto) {
    return this.queries.execute(
      new ListKeysQuery(p.companyId, {
        status: q.status,
        ownerId: q.ownerId,
        q: q.q,
        externalId: q.externalId,
        unusedSince: q.unusedSince ? new Date(q.unusedSince) : undefined,
        sort: q.sort,
        order: q.order,
        limit: q.limit ?? 50,
        cursor: q.cursor,
      }),
    );
  }

  @Post('verify')
  @HttpCode(200)
  @RequirePermissions('keys:verify')
  @ApiOperation({ summary: 'Check a key another service received' })
  @ApiOkResponse({ type: VerifyKeyResponse })
  verify(@Ctx() ctx: CommandContext, @Body() body: VerifyKeyDto, @Req() req: FastifyRequest) {
    return this.queries.execute(
      new VerifyKeyQuery(
        ctx.companyId,
        body.key,
        body.permissions ?? [],
        // the service's own request when it names it, else this call
        body.request
          ? {
              ip: body.ip ?? ctx.metadata.ip ?? null,
              userAgent: body.request.userAgent ?? null,
              requestId: body.request.requestId ?? null,
              method: body.request.method,
              route: body.request.route,
            }
          : {
              ip: body.ip ?? ctx.metadata.ip ?? null,
              userAgent: ctx.metadata.userAgent ?? null,
              requestId: ctx.metadata.requestId ?? null,
              method: req.method,
              route: routeOf(req.raw),
            },
        body.record ?? true,
      ),
    );
  }

  @Get(':id')
  @RequirePermissions('keys:read')
  @ApiOperation({ summary: 'One key (never the key itself)' })
  @ApiOkResponse({ type: KeyResponse })
  get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return this.queries.execute(new GetKeyQuery(p.companyId, id));
  }

  @Patch(':id')
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: 'Edit name, description, permissions, roles, meta, externalId, expiresAt, allowedIps, rateLimit' })
  @ApiOkResponse({ type: KeyResponse })
  update(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string, @Body() body: UpdateKeyDto) {
    return this.commands.execute(new UpdateKeyCommand(ctx, id, body));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: 'Revoke; every instance refuses the key before this returns' })
  @ApiOkResponse({ type: KeyResponse })
  revoke(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string, @Body() body: RevokeKeyDto) {
    return this.commands.execute(new RevokeKeyCommand(ctx, id, body.reason ?? null));
  }

  @Post(':id/rotate')
  @RequirePermissions('keys:write')
  @ShowsSecret()
  @ApiOperation({ summary: 'A new key with the same settings; the old one works until the grace period ends' })
  @ApiCreatedResponse({ type: CreatedKeyResponse })
  rotate(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string, @Body() body: RotateKeyDto) {
    return this.commands.execute(new RotateKeyCommand(ctx, id, body.gracePeriodSeconds ?? 0));
  }

  @Post(':id/quota')
  @HttpCode(200)
  @RequirePermissions('keys:verify')
  @ApiOperation({ summary: "Take up to `want` requests of the key's current rate-limit window, for a service to spend itself" })
  @ApiOkResponse({ type: QuotaResponse })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no such key in this company (problem+json)' })
  @ApiServiceUnavailableResponse({ description: 'UNAVAILABLE: Redis does not answer; only it counts exactly across services (Retry-After)' })
  quota(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() body: QuotaDto) {
    return this.commands.execute(new TakeQuotaCommand(p.companyId, id, body.want));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: 'Delete: gone from lists, refused everywhere; its history stays in the audit log' })
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string): Promise<void> {
    await this.commands.execute(new DeleteKeyCommand(ctx, id));
  }
}
