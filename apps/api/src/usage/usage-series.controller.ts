import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { GRANULARITY_MS, Granularity, SeriesRange, UsageSeriesService, bucketStart } from '@keyward/usage';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { CompanyUsageQueryDto, CompanyUsageResponse, UsageSeriesQueryDto, UsageSeriesResponse } from './usage-series.dto';

const MAX_BUCKETS = 1500;
const DEFAULT_SPAN_MS: Record<Granularity, number> = { minute: 3_600_000, hour: 86_400_000, day: 30 * 86_400_000 };
const TOP_KEYS = 10;
const uuid = new ParseUUIDPipe({ exceptionFactory: () => Problem.invalidField('id', 'must be a UUID') });

/**
 * Usage series from the worker's `usage_buckets` (`KeyUsed` and `AuthenticationFailed`, exact):
 * with `keys:read`, so a key holder reviews their keys' activity without `audit:read`.
 */
@ApiTags('usage')
@ApiKeyAuth()
@Controller()
export class UsageSeriesController {
  constructor(
    private readonly series: UsageSeriesService,
    private readonly dataSource: DataSource,
  ) {}

  @Get('v1/keys/:id/usage')
  @RequirePermissions('keys:read')
  @ApiOperation({ summary: "A key's requests per minute, hour or day: total, by status class, refused" })
  @ApiOkResponse({ type: UsageSeriesResponse })
  async keyUsage(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Query() q: UsageSeriesQueryDto): Promise<UsageSeriesResponse> {
    const range = rangeOf(q);
    const [key] = await this.dataSource.query('SELECT 1 FROM api_keys WHERE id = $1 AND company_id = $2', [id, p.companyId]);
    if (!key) throw Problem.notFound(`key ${id}`);
    return answer(range, await this.series.keySeries(p.companyId, id, range));
  }

  @Get('v1/usage')
  @RequirePermissions('keys:read')
  @ApiOperation({ summary: "The company's requests per minute, hour or day, its refusals by reason, and (groupBy=key) its busiest keys" })
  @ApiOkResponse({ type: CompanyUsageResponse })
  async companyUsage(@CurrentPrincipal() p: Principal, @Query() q: CompanyUsageQueryDto): Promise<CompanyUsageResponse> {
    const range = rangeOf(q);
    const [buckets, refusedByReason] = await Promise.all([this.series.companySeries(p.companyId, range), this.series.refusedByReason(p.companyId, range)]);
    return {
      ...answer(range, buckets),
      refusedByReason,
      ...(q.groupBy === 'key' ? { keys: await this.series.topKeys(p.companyId, range, TOP_KEYS) } : {}),
    };
  }
}

/** The query's range in whole buckets; 400 naming `from` when it is empty or longer than MAX_BUCKETS. */
function rangeOf(q: UsageSeriesQueryDto): SeriesRange {
  const granularity = q.granularity ?? 'hour';
  const step = GRANULARITY_MS[granularity];
  const toMs = q.to ? Date.parse(q.to) : Date.now();
  const fromMs = q.from ? Date.parse(q.from) : toMs - DEFAULT_SPAN_MS[granularity];
  if (fromMs >= toMs) throw Problem.invalidField('from', 'must be before to');
  const from = bucketStart(fromMs, granularity);
  const to = bucketStart(toMs - 1, granularity) + step;
  if ((to - from) / step > MAX_BUCKETS) {
    throw Problem.invalidField('from', `the range holds more than ${MAX_BUCKETS} ${granularity} buckets: shorten it or use a coarser granularity`);
  }
  return { from: new Date(from), to: new Date(to), granularity };
}

function answer(range: SeriesRange, buckets: UsageSeriesResponse['buckets']): UsageSeriesResponse {
  return { granularity: range.granularity, from: range.from.toISOString(), to: range.to.toISOString(), buckets };
}
