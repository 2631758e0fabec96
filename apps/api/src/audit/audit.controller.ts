import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditFilter, ExportAuditEventsCommand, KeyHistoryQuery, KeyStateQuery, ListAuditEventsQuery, ListCheckpointsQuery, VerifyAuditQuery } from '@keyward/audit';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { CommandContext } from '@keyward/keys';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { Ctx } from '../http/command-context.decorator';
import { PaginationDto } from '../http/pagination.dto';
import {
  AuditFilterDto,
  ListAuditQueryDto,
  AuditPageResponse,
  CheckpointPageResponse,
  ExportQueryDto,
  KeyStateQueryDto,
  VerifyQueryDto,
  VerifyResponse,
} from './audit.dto';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => Problem.invalidField('id', 'must be a UUID') });

function toFilter(companyId: string, q: AuditFilterDto): AuditFilter {
  return {
    companyId,
    types: q.type,
    keyId: q.keyId,
    actorId: q.actorId,
    ip: q.ip,
    requestId: q.requestId,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}

@ApiTags('audit')
@ApiKeyAuth()
@Controller('v1')
export class AuditController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('audit-events')
  @RequirePermissions('audit:read')
  @ApiOperation({ summary: "The company's events by position (log order, or newest first with order=desc), filtered" })
  @ApiOkResponse({ type: AuditPageResponse })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListAuditQueryDto) {
    return this.queries.execute(new ListAuditEventsQuery(toFilter(p.companyId, q), q.limit ?? 50, q.cursor, q.order ?? 'asc'));
  }

  @Get('audit-events/export')
  @RequirePermissions('audit:read')
  @ApiOperation({ summary: 'Stream every matching event as CSV or JSON lines, with position, prevHash and hash; recorded as AuditExported' })
  @ApiProduces('text/csv', 'application/x-ndjson')
  async export(@Ctx() ctx: CommandContext, @Query() q: ExportQueryDto, @Res() res: Response): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('Content-Type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="keyward-audit-${stamp}.${q.format}"`);
    await this.commands.execute(new ExportAuditEventsCommand(ctx, toFilter(ctx.companyId, q), q.format, res));
  }

  @Get('audit-events/verify')
  @RequirePermissions('audit:read')
  @ApiOperation({ summary: 'Recompute the hash chain and hold it against the signed checkpoints' })
  @ApiOkResponse({ type: VerifyResponse })
  verify(@Query() q: VerifyQueryDto) {
    return this.queries.execute(new VerifyAuditQuery(q.from));
  }

  @Get('audit-events/checkpoints')
  @RequirePermissions('audit:read')
  @ApiOperation({ summary: 'Signed chain heads (Ed25519) with the public key, newest first' })
  @ApiOkResponse({ type: CheckpointPageResponse })
  checkpoints(@Query() q: PaginationDto) {
    return this.queries.execute(new ListCheckpointsQuery(q.limit ?? 50, q.cursor));
  }

  @Get('keys/:id/history')
  @RequirePermissions('audit:read')
  @ApiOperation({ summary: "Every event of one key, in log order (deleted keys too)" })
  @ApiOkResponse({ type: AuditPageResponse })
  history(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Query() q: PaginationDto) {
    return this.queries.execute(new KeyHistoryQuery(p.companyId, id, q.limit ?? 50, q.cursor));
  }

  @Get('keys/:id/state')
  @RequirePermissions('audit:read')
  @ApiOperation({ summary: 'The key as it stood at an instant, replayed from the log' })
  state(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Query() q: KeyStateQueryDto) {
    return this.queries.execute(new KeyStateQuery(p.companyId, id, new Date(q.at)));
  }
}
