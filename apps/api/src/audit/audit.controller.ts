import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditFilter, ExportAuditEventsCommand, KeyHistoryQuery, KeyStateQuery, ListAuditEventsQuery, ListCheckpointsQuery, VerifyAuditQuery } from '@keyward/audit';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { CommandContext } from '@keyward/event-store';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { uuidParam } from '../http/validation';
import { Ctx } from '../http/command-context.decorator';
import { PaginationDto } from '../http/pagination.dto';
import {
  AuditFilterDto,
  ListAuditQueryDto,
  AuditPageResponse,
  CheckpointPageResponse,
  ExportQueryDto,
  KeyStateAtResponse,
  KeyStateQueryDto,
  VerifyQueryDto,
  VerifyResponse,
} from './audit.dto';

const uuid = uuidParam();

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
  @ApiOperation({
    summary: 'Stream every matching event as CSV or JSON lines, with position, prevHash and hash; recorded as AuditExported',
    description:
      'Each export holds a database cursor while its client reads, within limits: at most AUDIT_EXPORT_MAX_PER_INSTANCE at once ' +
      'on an API instance (else 429 `EXPORT_BUSY`) and AUDIT_EXPORT_MAX_PER_COMPANY at once for one company across the ' +
      'installation (else 429 `COMPANY_EXPORT_BUSY`), both with Retry-After; a client that reads nothing for ' +
      'AUDIT_EXPORT_IDLE_TIMEOUT_MS, or an export that runs longer than AUDIT_EXPORT_MAX_DURATION_MS, is ended: the download ' +
      'breaks off and AuditExported says `completed: false` with `stoppedBy`.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiTooManyRequestsResponse({ description: '`EXPORT_BUSY` (this instance) or `COMPANY_EXPORT_BUSY` (this company): retry after Retry-After seconds' })
  async export(@Ctx() ctx: CommandContext, @Query() q: ExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const res = reply.raw;
    await this.commands.execute(
      new ExportAuditEventsCommand(ctx, toFilter(ctx.companyId, q), q.format, res, () => {
        reply.hijack(); // from here the export streams on Node's response
        res.statusCode = 200;
        res.setHeader('Content-Type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="keyward-audit-${stamp}.${q.format}"`);
      }),
    );
  }

  @Get('audit-events/verify')
  @RequirePermissions('audit:read')
  @ApiOperation({
    summary: 'Recompute the hash chain and hold it against the signed checkpoints',
    description:
      "A key of the installation's operator company (the first company) verifies the whole chain (`scope: installation`). " +
      "A key of any other company verifies only its company's events (`scope: company`): each one's hash is recomputed, its " +
      "prevHash is checked against the stored hash of the event before it in the log, and the event after it (when another " +
      "company's) must link to it; those neighbours are read, never returned, so `checked`, `head` and `firstBadPosition` " +
      "count and name only the company's own events (`head` is null for a company without events). " +
      'Signed checkpoints are verified with the configured signing key only (`AUDIT_SIGNING_KEY`), never with the key stored ' +
      'beside them: checkpoints stored with another key are counted in `checkpoints.unverifiable` and not trusted; ' +
      '`checkpoints.signingKey` is null when no key is configured (then nothing is verified). ' +
      'One verification scan runs at a time per installation; identical requests share one scan, others wait their turn. ' +
      'A company with a different verification already waiting or running gets 429 `VERIFY_BUSY` with Retry-After.',
  })
  @ApiOkResponse({ type: VerifyResponse })
  @ApiTooManyRequestsResponse({ description: '`VERIFY_BUSY`: this company already has a different verification waiting or running' })
  verify(@CurrentPrincipal() p: Principal, @Query() q: VerifyQueryDto) {
    return this.queries.execute(new VerifyAuditQuery(p.companyId, q.from));
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
  @ApiOkResponse({ type: KeyStateAtResponse })
  state(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Query() q: KeyStateQueryDto) {
    return this.queries.execute(new KeyStateQuery(p.companyId, id, new Date(q.at)));
  }
}
