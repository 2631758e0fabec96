import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsIP,
  IsISO8601,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { OptionalNotNull } from '../http/validation';
import { PERMISSIONS, ROLES } from '@keyward/auth';
import { PaginationDto } from '../http/pagination.dto';
import { RateLimitResponse } from '../me/me.dto';

const ROLE_NAMES = Object.keys(ROLES);
const STATUSES = ['active', 'revoked', 'expired'];

export class RateLimitDto {
  @ApiProperty({ minimum: 1, maximum: 1_000_000_000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  limit!: number;

  @ApiProperty({ minimum: 1, maximum: 31_536_000 })
  @IsInt()
  @Min(1)
  @Max(31_536_000)
  windowSeconds!: number;
}

export class CreateKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true, description: 'default: none; give permissions or role' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions?: (typeof PERMISSIONS)[number][];

  @ApiPropertyOptional({ enum: ROLE_NAMES })
  @OptionalNotNull()
  @IsIn(ROLE_NAMES)
  role?: keyof typeof ROLES;

  @ApiPropertyOptional({ enum: ['standard', 'administration'], default: 'standard' })
  @OptionalNotNull()
  @IsIn(['standard', 'administration'])
  type?: 'standard' | 'administration';

  @ApiPropertyOptional({ format: 'date-time', description: 'in the future, at most KEY_MAX_EXPIRY_DAYS (365) days ahead' })
  @OptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 100, example: ['203.0.113.7', '2001:db8::/32'] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowedIps?: string[];

  @ApiPropertyOptional({ type: RateLimitDto })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'another user of the company (needs users:write)' })
  @OptionalNotNull()
  @IsUUID()
  ownerId?: string;
}

export class UpdateKeyDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true, description: 'null: no description' })
  @ValidateIf((o: UpdateKeyDto) => o.description !== undefined && o.description !== null)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions?: (typeof PERMISSIONS)[number][];

  @ApiPropertyOptional({ enum: ROLE_NAMES })
  @OptionalNotNull()
  @IsIn(ROLE_NAMES)
  role?: keyof typeof ROLES;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'null: never expires' })
  @ValidateIf((o: UpdateKeyDto) => o.expiresAt !== undefined && o.expiresAt !== null)
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 100 })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowedIps?: string[];

  @ApiPropertyOptional({ type: RateLimitDto, nullable: true, description: 'null: back to the default' })
  @ValidateIf((o: UpdateKeyDto) => o.rateLimit !== undefined && o.rateLimit !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto | null;
}

export class RevokeKeyDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RotateKeyDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 604800, default: 0, description: 'how long the old key keeps working' })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(604_800)
  gracePeriodSeconds?: number;
}

export class VerifyKeyDto {
  @ApiProperty({ description: 'the key to check' })
  @IsString()
  @MaxLength(256)
  key!: string;

  @ApiPropertyOptional({ description: "the end client's address, checked against the key's allowedIps (default: the caller's)" })
  @OptionalNotNull()
  @IsIP()
  ip?: string;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true, description: 'answer INSUFFICIENT_PERMISSIONS unless the key has all of them' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions?: (typeof PERMISSIONS)[number][];
}

export class ListKeysQueryDto extends PaginationDto {
  @ApiPropertyOptional({ description: 'comma-separated: active,revoked,expired', example: 'active,expired' })
  @OptionalNotNull()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value))
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(STATUSES, { each: true })
  status?: ('active' | 'revoked' | 'expired')[];

  @ApiPropertyOptional({ format: 'uuid' })
  @OptionalNotNull()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ description: 'part of the name', maxLength: 100 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class KeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ description: 'first 10 characters, to recognise the key' }) start!: string;
  @ApiProperty({ enum: ['standard', 'administration'] }) type!: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions!: string[];
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
  @ApiProperty({ format: 'uuid' }) companyId!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: never used' }) lastUsedAt!: string | null;
  @ApiProperty({ type: [String] }) allowedIps!: string[];
  @ApiProperty({ type: RateLimitResponse, nullable: true, description: 'null: the configured default' })
  rateLimit!: RateLimitResponse | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) rotatedFrom!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) replacedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) graceEndsAt!: string | null;
}

export class CreatedKeyResponse extends KeyResponse {
  @ApiProperty({ description: 'the key itself — shown in this response only' }) key!: string;
}

export class KeyPage {
  @ApiProperty({ type: [KeyResponse] }) items!: KeyResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class VerifyKeyResponse {
  @ApiProperty() valid!: boolean;
  @ApiProperty({
    enum: ['VALID', 'NOT_FOUND', 'EXPIRED', 'REVOKED', 'FORBIDDEN', 'OWNER_DISABLED', 'INSUFFICIENT_PERMISSIONS', 'RATE_LIMITED'],
  })
  code!: string;
  @ApiPropertyOptional({ format: 'uuid' }) keyId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) ownerId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) companyId?: string;
  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true }) permissions?: string[];
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) expiresAt?: string | null;
  @ApiPropertyOptional({ type: RateLimitResponse }) rateLimit?: RateLimitResponse;
}
