import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsIP,
  IsISO8601,
  IsNumber,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { OptionalNotNull } from '../http/validation';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Clocks of the reporting service may run a little ahead. */
const AHEAD_MS = 5 * 60 * 1000;

/** Whether `value` is a time within the last 24 h (and at most 5 minutes ahead). */
export function isWithinLastDay(value: unknown): boolean {
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  const now = Date.now();
  return Number.isFinite(t) && t >= now - DAY_MS && t <= now + AHEAD_MS;
}

/** An ISO 8601 time within the last 24 h (and at most 5 minutes ahead). */
const WithinLastDay = () =>
  ValidateBy({
    name: 'withinLastDay',
    validator: { validate: isWithinLastDay, defaultMessage: () => 'occurredAt must be within the last 24 hours' },
  });

export class ReportedUseDto {
  @ApiProperty({ format: 'uuid', description: 'chosen by the service: a retried batch appends nothing twice' })
  @IsUUID()
  eventId!: string;

  @ApiProperty({ format: 'uuid', description: 'a key of the caller\'s company' })
  @IsUUID()
  keyId!: string;

  @ApiProperty({ example: 'GET', maxLength: 16 })
  @IsString()
  @Matches(/^[A-Z]{1,16}$/, { message: 'must be an HTTP method in capitals' })
  method!: string;

  @ApiProperty({ example: '/invoices/:id', maxLength: 512, description: 'the route as declared, not the raw URL' })
  @IsString()
  @Length(1, 512)
  route!: string;

  @ApiProperty({ minimum: 100, maximum: 599 })
  @IsInt()
  @Min(100)
  @Max(599)
  status!: number;

  @ApiProperty({ example: '203.0.113.7' })
  @IsIP()
  ip!: string;

  @ApiPropertyOptional({ maxLength: 512 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(512)
  userAgent?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(200)
  requestId?: string;

  @ApiProperty({ minimum: 0, maximum: 86_400_000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(86_400_000)
  durationMs!: number;

  @ApiProperty({ format: 'date-time', description: 'within the last 24 h' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @WithinLastDay()
  occurredAt!: string;
}

export class UsageBatchDto {
  @ApiProperty({ type: [ReportedUseDto], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ReportedUseDto)
  records!: ReportedUseDto[];
}

export class UsageBatchResponse {
  @ApiProperty({ description: 'the records of the batch, each now a KeyUsed event in the log (a retried batch answers the same and appends nothing twice)' })
  appended!: number;
}
