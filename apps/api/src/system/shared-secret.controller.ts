import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import { GetSharedSecretQuery, RevealSharedSecretCommand, RotateSharedSecretCommand } from '@keyward/system';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { Ctx } from '../http/command-context.decorator';
import { ShowsSecret } from '../http/shows-secret.decorator';
import { RotateSharedSecretDto, SharedSecretMetadataResponse, SharedSecretResponse } from './system.dto';

const NOT_CONFIGURED =
  'SECRETS_KEY_NOT_CONFIGURED: SECRETS_ENCRYPTION_KEY is not set on the server; SECRETS_KEY_MISMATCH: the secret was sealed under another key (nothing changed)';

@ApiTags('shared secret')
@ApiKeyAuth()
@RequirePermissions('admin.system.api')
@Controller('v1/shared-secret')
export class SharedSecretController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: "The company's shared secret: whether it exists, its fingerprint and dates (never the secret)" })
  @ApiOkResponse({ type: SharedSecretMetadataResponse })
  get(@Ctx() ctx: CommandContext) {
    return this.queries.execute(new GetSharedSecretQuery(ctx.companyId));
  }

  @Post('rotate')
  @ShowsSecret()
  @ApiOperation({
    summary:
      'Create the shared secret, or replace it; the secret is in this response only. The replaced one keeps signing webhook deliveries beside it for overlapSeconds',
  })
  @ApiCreatedResponse({ type: SharedSecretResponse })
  @ApiConflictResponse({ description: NOT_CONFIGURED })
  rotate(@Ctx() ctx: CommandContext, @Body() body: RotateSharedSecretDto) {
    return this.commands.execute(new RotateSharedSecretCommand(ctx, body.overlapSeconds));
  }

  @Post('reveal')
  @HttpCode(200)
  @ShowsSecret()
  @ApiOperation({ summary: 'Show the shared secret; recorded as SharedSecretRevealed with the caller' })
  @ApiOkResponse({ type: SharedSecretResponse })
  @ApiConflictResponse({ description: NOT_CONFIGURED })
  reveal(@Ctx() ctx: CommandContext) {
    return this.commands.execute(new RevealSharedSecretCommand(ctx));
  }
}
