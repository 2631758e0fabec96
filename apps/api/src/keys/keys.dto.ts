import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsIP,
  IsISO8601,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { OptionalNotNull, ReadableByDate } from '../http/validation';
import { PERMISSIONS, PERMISSION_NAME_SHAPE, ROLES, ROLE_NAME } from '@keyward/auth';
import { PaginationDto } from '../http/pagination.dto';
import { RateLimitResponse } from '../me/me.dto';

const ROLE_NAMES = Object.keys(ROLES);
const STATUSES = ['active', 'revoked', 'expired'];
/** Keyward's own permissions and the company's own (which must exist: 422 otherwise). */
const PERMISSION_NAME = PERMISSION_NAME_SHAPE;
const PERMISSIONS_DOC: ApiPropertyOptions = {
  type: [String],
  maxItems: 100,
  example: ['keys:read', 'invoices:write'],
  description: `Keyward's own (${PERMISSIONS.join(', ')}) and the company's own (defined with POST /v1/permissions)`,
};
const ROLES_DOC: ApiPropertyOptions = {
  type: [String],
  maxItems: 20,
  example: ['billing'],
  description: `built-in (${ROLE_NAMES.join(', ')}: they set the Keyward permissions) or the company's own (POST /v1/roles)`,
};
const META_DOC: ApiPropertyOptions = { type: 'object', additionalProperties: true, description: "the customer's own data about the key: a JSON object, at most 4 KB" };

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

/** What a key is given, the same on create and edit (names checked against the company's catalog by the command). */
class KeyGrantsDto {
  @ApiPropertyOptional(PERMISSIONS_DOC)
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(PERMISSION_NAME, { each: true, message: 'each must be a permission name' })
  permissions?: string[];

  @ApiPropertyOptional({ description: 'one role: a shorthand for roles: [role]', example: 'READONLY' })
  @OptionalNotNull()
  @IsString()
  @Matches(ROLE_NAME, { message: 'must be a role name' })
  role?: string;

  @ApiPropertyOptional(ROLES_DOC)
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(ROLE_NAME, { each: true, message: 'each must be a role name' })
  roles?: string[];

  @ApiPropertyOptional(META_DOC)
  @OptionalNotNull()
  @IsObject()
  meta?: Record<string, unknown>;
}

export class CreateKeyDto extends KeyGrantsDto {
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ maxLength: 256, description: "the customer's own id for the key's holder" })
  @OptionalNotNull()
  @IsString()
  @Length(1, 256)
  externalId?: string;

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

export class UpdateKeyDto extends KeyGrantsDto {
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

  @ApiPropertyOptional({ type: String, maxLength: 256, nullable: true, description: 'null: none' })
  @ValidateIf((o: UpdateKeyDto) => o.externalId !== undefined && o.externalId !== null)
  @IsString()
  @Length(1, 256)
  externalId?: string | null;

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

/** The request of the calling service that presented the key: what its trail records instead of this call. */
export class VerifiedRequestDto {
  @ApiProperty({ example: 'GET', maxLength: 16 })
  @IsString()
  @Matches(/^[A-Z]{1,16}$/, { message: 'must be an HTTP method in capitals' })
  method!: string;

  @ApiProperty({ example: '/invoices/:id', maxLength: 512, description: 'the route as declared, not the raw URL' })
  @IsString()
  @Length(1, 512)
  route!: string;

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

  @ApiPropertyOptional({ ...PERMISSIONS_DOC, description: 'answer INSUFFICIENT_PERMISSIONS (with missingPermissions) unless the key has all of them' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(PERMISSION_NAME, { each: true, message: 'each must be a permission name' })
  permissions?: string[];

  @ApiPropertyOptional({
    default: true,
    description: 'false: no KeyUsed is written and no rate limit is spent (for a service that reports its own usage and leases quota)',
  })
  @OptionalNotNull()
  @IsBoolean()
  record?: boolean;

  @ApiPropertyOptional({
    type: VerifiedRequestDto,
    description: "the service's request that presented the key: its method, route, user agent and request id go into the trail (a refusal's AuthenticationFailed, a KeyUsed) instead of this call's",
  })
  @OptionalNotNull()
  @ValidateNested()
  @Type(() => VerifiedRequestDto)
  request?: VerifiedRequestDto;
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

  @ApiPropertyOptional({ description: "the customer's own id for the key's holder (exact)", maxLength: 256 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 256)
  externalId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'keys never used, or last used before this instant (clean up inactive keys)' })
  @OptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @ReadableByDate()
  unusedSince?: string;

  @ApiPropertyOptional({
    enum: ['createdAt', 'lastUsedAt', 'name'],
    default: 'createdAt',
    description: 'createdAt: newest first; lastUsedAt: most recently used first, never used last; name: A→Z (order reverses each)',
  })
  @OptionalNotNull()
  @IsIn(['createdAt', 'lastUsedAt', 'name'])
  sort?: 'createdAt' | 'lastUsedAt' | 'name';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: "default: the sort's own (desc for times, asc for name)" })
  @OptionalNotNull()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class KeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ description: 'first 10 characters, to recognise the key' }) start!: string;
  @ApiProperty({ enum: ['standard', 'administration'] }) type!: string;
  @ApiProperty(PERMISSIONS_DOC) permissions!: string[];
  @ApiProperty(ROLES_DOC) roles!: string[];
  @ApiProperty(META_DOC) meta!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true, description: "the customer's own id for the key's holder" }) externalId!: string | null;
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
  @ApiPropertyOptional({ ...PERMISSIONS_DOC, description: 'effective permissions: Keyward\'s own (key ∩ owner) and the company\'s (the key\'s and its roles\')' })
  permissions?: string[];
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) expiresAt?: string | null;
  @ApiPropertyOptional({ type: RateLimitResponse }) rateLimit?: RateLimitResponse;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional(ROLES_DOC) roles?: string[];
  @ApiPropertyOptional(META_DOC) meta?: Record<string, unknown>;
  @ApiPropertyOptional({ type: String, nullable: true }) externalId?: string | null;
  @ApiPropertyOptional({ type: [String], description: "the key's own allowed addresses (empty: any), when the answer names the key" })
  allowedIps?: string[];
  @ApiPropertyOptional({ type: [String], description: 'INSUFFICIENT_PERMISSIONS: the asked permissions the key lacks' }) missingPermissions?: string[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'FORBIDDEN: the address checked against allowedIps' }) ip?: string | null;
}

export class QuotaDto {
  @ApiProperty({ minimum: 1, maximum: 10_000, description: 'how many requests of the current window to take' })
  @IsInt()
  @Min(1)
  @Max(10_000)
  want!: number;
}

export class QuotaResponse {
  @ApiProperty({ description: 'min(want, what is left of the window); 0 when nothing is left' }) granted!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() windowSeconds!: number;
  @ApiProperty({ description: 'seconds until the window resets' }) resetSeconds!: number;
}
