import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601 } from 'class-validator';
import { OptionalNotNull, ReadableByDate } from '../http/validation';

const GRANULARITIES = ['minute', 'hour', 'day'] as const;

export class UsageSeriesQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'start of the range (inclusive; moved back to its bucket\'s start). Default: to − 1 h (minute), − 24 h (hour), − 30 days (day)' })
  @OptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @ReadableByDate()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: "end of the range (exclusive; moved on to its bucket's end). Default: now" })
  @OptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @ReadableByDate()
  to?: string;

  @ApiPropertyOptional({ enum: GRANULARITIES, default: 'hour', description: 'buckets of a minute, an hour or a day (UTC); at most 1500 per answer' })
  @OptionalNotNull()
  @IsIn(GRANULARITIES)
  granularity?: (typeof GRANULARITIES)[number];
}

export class CompanyUsageQueryDto extends UsageSeriesQueryDto {
  @ApiPropertyOptional({ enum: ['key'], description: 'key: also the busiest keys of the range (at most 10)' })
  @OptionalNotNull()
  @IsIn(['key'])
  groupBy?: 'key';
}

class ByStatusResponse {
  @ApiProperty() '2xx'!: number;
  @ApiProperty() '3xx'!: number;
  @ApiProperty() '4xx'!: number;
  @ApiProperty() '5xx'!: number;
}

export class UsageBucketResponse {
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ description: 'requests of the bucket: KeyUsed and refused authentications' }) total!: number;
  @ApiProperty({ type: ByStatusResponse, description: 'KeyUsed by status class' }) byStatus!: ByStatusResponse;
  @ApiProperty({ description: 'AuthenticationFailed (refused keys)' }) refused!: number;
}

export class KeyUsageTotalResponse {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty() total!: number;
  @ApiProperty() refused!: number;
}

export class UsageSeriesResponse {
  @ApiProperty({ enum: GRANULARITIES }) granularity!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: [UsageBucketResponse] }) buckets!: UsageBucketResponse[];
}

export class RefusalCountResponse {
  @ApiProperty({ description: 'why the key was refused, as AuthenticationFailed records it (e.g. NOT_FOUND, REVOKED, EXPIRED, DELETED, FORBIDDEN, OWNER_DISABLED)' })
  reason!: string;
  @ApiProperty({ description: 'refused authentications with this reason in the range' }) count!: number;
}

export class CompanyUsageResponse extends UsageSeriesResponse {
  @ApiProperty({
    type: [RefusalCountResponse],
    description: "the range's refused authentications (AuthenticationFailed of the company's keys, and of unknown keys where the company is known) by reason, most first; the counts add up to the buckets' refused",
  })
  refusedByReason!: RefusalCountResponse[];

  @ApiPropertyOptional({ type: [KeyUsageTotalResponse], description: 'with groupBy=key: the busiest keys, most requests first' })
  keys?: KeyUsageTotalResponse[];
}
