import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { ReportUsageCommand } from '@keyward/keys';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { UsageBatch, UsageBatchPipe } from './usage-batch.pipe';
import { UsageBatchDto, UsageBatchResponse } from './usage.dto';

/** Usage reported by a company's own services (docs/verifier-protocol.md). */
@ApiTags('usage')
@ApiKeyAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(202)
  @RequirePermissions('keys:verify')
  @ApiOperation({ summary: "Report a batch of a service's requests: one KeyUsed each, committed before the answer" })
  @ApiAcceptedResponse({ type: UsageBatchResponse })
  @ApiUnprocessableEntityResponse({ description: 'UNKNOWN_KEY naming records[i].keyId: not a key of this company (problem+json; nothing appended)' })
  // validated by UsageBatchPipe against UsageBatchDto (the global pipe leaves a body typed by an interface alone)
  @ApiBody({ type: UsageBatchDto })
  report(@CurrentPrincipal() p: Principal, @Body(UsageBatchPipe) body: UsageBatch): Promise<UsageBatchResponse> {
    const first = new Map<string, number>();
    body.records.forEach((r, i) => {
      if (first.has(r.eventId)) throw Problem.invalidField(`records[${i}].eventId`, `repeats records[${first.get(r.eventId)}].eventId`);
      first.set(r.eventId, i);
    });
    return this.commands.execute(
      new ReportUsageCommand(
        p.companyId,
        // written out, not spread: V8 takes a slow path for a spread followed by more properties (µs per record)
        body.records.map((r) => ({
          eventId: r.eventId,
          keyId: r.keyId,
          method: r.method,
          route: r.route,
          status: r.status,
          ip: r.ip,
          userAgent: r.userAgent ?? null,
          requestId: r.requestId ?? null,
          durationMs: r.durationMs,
          occurredAt: r.occurredAt,
        })),
      ),
    );
  }
}
