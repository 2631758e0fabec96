import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadGatewayResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiGatewayTimeoutResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { RequirePermissions } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import {
  ActivateCentralCommand,
  CheckCentralCommand,
  DeactivateCentralCommand,
  GetSystemStatusQuery,
  SendHeartbeatCommand,
  SetTelemetryCommand,
} from '@keyward/system';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { Ctx } from '../http/command-context.decorator';
import {
  ActivateCentralDto,
  CentralCheckResponse,
  CentralResponse,
  HeartbeatResponse,
  QueueCountsResponse,
  SetTelemetryDto,
  SystemStatusResponse,
  TelemetryResponse,
} from './system.dto';

/** The installation's central link and telemetry: keys of the operator company only (403 NOT_INSTALLATION_OPERATOR). */
@ApiTags('system')
@ApiExtraModels(QueueCountsResponse)
@ApiKeyAuth()
@RequirePermissions('admin.system.api')
@Controller('v1/system')
export class SystemController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'Version, central link, telemetry, queue depths and projection lag' })
  @ApiOkResponse({ type: SystemStatusResponse })
  status(@Ctx() ctx: CommandContext) {
    return this.queries.execute(new GetSystemStatusQuery(ctx.companyId));
  }

  @Put('central')
  @ApiOperation({ summary: 'Validate a central API key against CENTRAL_URL and store it encrypted' })
  @ApiOkResponse({ type: CentralResponse })
  @ApiUnprocessableEntityResponse({ description: 'CENTRAL_KEY_REJECTED: the central service refused the key (nothing changed)' })
  @ApiBadGatewayResponse({ description: 'CENTRAL_UNREACHABLE: no connection, or an unexpected answer (nothing changed)' })
  @ApiGatewayTimeoutResponse({ description: 'CENTRAL_TIMEOUT: no answer within CENTRAL_TIMEOUT_MS (nothing changed)' })
  @ApiConflictResponse({
    description:
      'SHARED_SECRET_REQUIRED: create the shared secret first (it signs every request); CENTRAL_NOT_CONFIGURED: CENTRAL_URL is not set; ' +
      'SECRETS_KEY_NOT_CONFIGURED / SECRETS_KEY_MISMATCH: SECRETS_ENCRYPTION_KEY is not set, or is not the key that sealed the secret (nothing changed)',
  })
  activate(@Ctx() ctx: CommandContext, @Body() body: ActivateCentralDto) {
    return this.commands.execute(new ActivateCentralCommand(ctx, body.apiKey));
  }

  @Delete('central')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the central link (telemetry keeps its switch, and pauses)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'CENTRAL_NOT_ACTIVE' })
  async deactivate(@Ctx() ctx: CommandContext): Promise<void> {
    await this.commands.execute(new DeactivateCentralCommand(ctx));
  }

  @Post('central/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check the connection now; the outcome and latency are recorded (CentralChecked)' })
  @ApiOkResponse({ type: CentralCheckResponse })
  @ApiConflictResponse({ description: 'CENTRAL_NOT_CONFIGURED (CENTRAL_URL is not set), CENTRAL_NOT_ACTIVE or CENTRAL_URL_CHANGED' })
  check(@Ctx() ctx: CommandContext) {
    return this.commands.execute(new CheckCentralCommand(ctx));
  }

  @Put('telemetry')
  @ApiOperation({ summary: 'Turn telemetry (scheduled heartbeats) on or off; nothing else changes' })
  @ApiOkResponse({ type: TelemetryResponse })
  telemetry(@Ctx() ctx: CommandContext, @Body() body: SetTelemetryDto) {
    return this.commands.execute(new SetTelemetryCommand(ctx, body.enabled));
  }

  @Post('heartbeat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one heartbeat now (one attempt); HeartbeatSent or HeartbeatFailed is recorded' })
  @ApiOkResponse({ type: HeartbeatResponse })
  @ApiConflictResponse({ description: 'CENTRAL_NOT_CONFIGURED (CENTRAL_URL is not set), CENTRAL_NOT_ACTIVE or CENTRAL_URL_CHANGED' })
  heartbeat(@Ctx() ctx: CommandContext) {
    return this.commands.execute(SendHeartbeatCommand.now(ctx));
  }
}
