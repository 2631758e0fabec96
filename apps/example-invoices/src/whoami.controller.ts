import { Controller, Get, UseGuards } from '@nestjs/common';
import { KeywardGuard, KeywardKey, KeywardKeyInfo, KeywardPublic } from '@keyward/nestjs';

@Controller()
@UseGuards(KeywardGuard)
export class WhoAmIController {
  /** Any valid key: what the service learned of it. */
  @Get('whoami')
  whoami(@KeywardKey() key: KeywardKeyInfo): KeywardKeyInfo {
    return key;
  }

  @Get('health')
  @KeywardPublic()
  health(): { status: string } {
    return { status: 'ok' };
  }
}
