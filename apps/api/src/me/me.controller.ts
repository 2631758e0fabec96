import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@keyward/auth';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { MeResponse } from './me.dto';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';

@ApiTags('me')
@ApiKeyAuth()
@Controller('v1/me')
export class MeController {
  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {}

  @Get()
  @ApiOperation({ summary: 'The calling key: who it acts for and what it may do' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentPrincipal() p: Principal): MeResponse {
    return {
      keyId: p.keyId,
      ownerId: p.ownerId,
      companyId: p.companyId,
      permissions: [...p.permissions],
      expiresAt: p.expiresAt ? p.expiresAt.toISOString() : null,
      rateLimit: p.rateLimit ?? this.config.keys.defaultRateLimit,
      allowedIps: [...p.allowedIps],
    };
  }
}
