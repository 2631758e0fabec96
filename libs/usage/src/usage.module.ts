import { Global, Module } from '@nestjs/common';
import { UsageBuffer } from './usage-buffer';

/** The API's usage buffer (global: the guard and the verify query record into it). */
@Global()
@Module({
  providers: [UsageBuffer],
  exports: [UsageBuffer],
})
export class UsageModule {}
