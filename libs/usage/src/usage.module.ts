import { Global, Module } from '@nestjs/common';
import { UsageSeriesService } from './series/usage-series.service';
import { UsageBuffer } from './usage-buffer';

/** The API's usage buffer (global: the guard and the verify query record into it) and the usage series' reader. */
@Global()
@Module({
  providers: [UsageBuffer, UsageSeriesService],
  exports: [UsageBuffer, UsageSeriesService],
})
export class UsageModule {}
