import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsIP, IsISO8601, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { OptionalNotNull, ReadableByDate } from '../http/validation';
import { PaginationDto } from '../http/pagination.dto';
import { RateLimitResponse } from '../me/me.dto';
import { EVENT_TYPES } from './event-types';

export { EVENT_TYPES };

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(value) ? value.flatMap((v) => String(v).split(',')) : value;

export class AuditFilterDto extends PaginationDto {
  @ApiPropertyOptional({ description: 'event types, comma-separated or repeated', example: 'KeyRevoked,KeyRotated' })
  @OptionalNotNull()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsIn(EVENT_TYPES, { each: true })
  type?: string[];

  @ApiPropertyOptional({ format: 'uuid' })
  @OptionalNotNull()
  @IsUUID()
  keyId?: string;

  @ApiPropertyOptional({ description: 'id of the acting key, user or system actor', maxLength: 100 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(100)
  actorId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt ≥ from' })
  @OptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @ReadableByDate()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt < to' })
  @OptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @ReadableByDate()
  to?: string;

  @ApiPropertyOptional({ description: 'client address (IPv4 or IPv6)' })
  @OptionalNotNull()
  @IsIP()
  ip?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  @OptionalNotNull()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be a request id (letters, digits, . _ : -)' })
  requestId?: string;
}

export class ListAuditQueryDto extends AuditFilterDto {
  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    default: 'asc',
    description: 'asc: log order (oldest first); desc: newest first. A cursor walks on in the order it was returned for.',
  })
  @OptionalNotNull()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class ExportQueryDto extends AuditFilterDto {
  @ApiProperty({ enum: ['csv', 'jsonl'] })
  @IsIn(['csv', 'jsonl'])
  format!: 'csv' | 'jsonl';
}

export class VerifyQueryDto {
  @ApiPropertyOptional({ minimum: 1, description: 'start at this position, trusting the one before it' })
  @OptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER) // a position is a bigint; beyond this the number is not exact anyway
  from?: number;
}

export class KeyStateQueryDto {
  @ApiProperty({ format: 'date-time', description: 'the instant to answer for' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @ReadableByDate()
  at!: string;
}

/** Who caused an event (libs/event-store ActorRef). */
export class AuditActorResponse {
  @ApiProperty({ enum: ['user', 'key', 'system'] }) type!: string;
  @ApiProperty({ description: 'the user or key id, or the system actor\'s name' }) id!: string;
}

/** The request an event came from (libs/event-store EventMetadata); empty for the system's own events. */
export class AuditMetadataResponse {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'client address' }) ip?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) userAgent?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) requestId?: string | null;
}

/** GET /v1/keys/:id/state?at= (libs/audit KeyStateAt): the key as it stood at one instant, replayed from the log. */
export class KeyStateAtResponse {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ format: 'date-time', description: 'the instant answered for' }) at!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'the last event (of the key or its owner) taken into account; null when none' })
  asOfPosition!: number | null;
  @ApiProperty({ description: 'the key had been created by then' }) existed!: boolean;
  @ApiProperty({ enum: ['not-created', 'active', 'revoked', 'expired', 'deleted'] }) status!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['standard', 'administration'] }) type!: string | null;
  @ApiProperty({ type: [String] }) permissions!: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) ownerId!: string | null;
  @ApiProperty({ type: [String] }) ownerPermissions!: string[];
  @ApiProperty({ type: Boolean, nullable: true, description: 'null when the owner is not known at that instant' }) ownerDisabled!: boolean | null;
  @ApiProperty({ type: [String] }) allowedIps!: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'end of a rotation grace, when the key was replaced' })
  graceEndsAt!: string | null;
  @ApiProperty({ type: RateLimitResponse, nullable: true }) rateLimit!: RateLimitResponse | null;
  @ApiProperty({ type: [String], description: 'what a request with this key could do at that instant (from an allowed address)' })
  effectivePermissions!: string[];
  @ApiProperty({ description: 'a request with this key would have been authenticated at that instant' }) couldAuthenticate!: boolean;
}

export class AuditEventResponse {
  @ApiProperty() position!: number;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty() streamVersion!: number;
  @ApiProperty({ enum: EVENT_TYPES }) type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) companyId!: string | null;
  @ApiProperty({ type: AuditActorResponse, example: { type: 'key', id: '…' } }) actor!: AuditActorResponse;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "the event's own fields, by type (docs/audit-trail.md)" })
  data!: Record<string, unknown>;
  @ApiProperty({ type: AuditMetadataResponse, example: { ip: '203.0.113.7', userAgent: 'curl/8', requestId: '…' } }) metadata!: AuditMetadataResponse;
  @ApiProperty({ description: 'hash of the event before it in the chain' }) prevHash!: string;
  @ApiProperty({ description: 'SHA-256 of the canonical JSON of this event (prevHash included)' }) hash!: string;
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEventResponse] }) items!: AuditEventResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** A point of the hash chain: an event's position and its hash. */
export class ChainPositionResponse {
  @ApiProperty() position!: number;
  @ApiProperty() hash!: string;
}

export class CheckpointResponse {
  @ApiProperty() position!: number;
  @ApiProperty() hash!: string;
  @ApiProperty({ type: ChainPositionResponse, nullable: true, description: 'the checkpoint before this one; null for the first' })
  previous!: ChainPositionResponse | null;
  @ApiProperty({ format: 'date-time' }) signedAt!: string;
  @ApiProperty({ description: 'Ed25519 over the canonical JSON of { position, hash, previous, signedAt }, base64' }) signature!: string;
  @ApiProperty({ description: 'SPKI PEM of the signing key' }) publicKey!: string;
}

export class CheckpointPageResponse {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm!: string;
  @ApiProperty({ type: String, nullable: true }) publicKey!: string | null;
  @ApiProperty({ type: [CheckpointResponse] }) items!: CheckpointResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class SigningKeyResponse {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm!: string;
  @ApiProperty({ description: '`sha256:` and the hex SHA-256 of the public key (SPKI DER)' }) fingerprint!: string;
}

export class UnverifiableCheckpointResponse {
  @ApiProperty() position!: number;
  @ApiProperty({ type: String, nullable: true, description: 'fingerprint of the key stored with it (not the configured one)' })
  keyFingerprint!: string | null;
}

export class ContradictedCheckpointResponse {
  @ApiProperty() position!: number;
  @ApiProperty() signedHash!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'the hash the log has at that position now (null: no event there); only in installation-wide answers',
  })
  logHash?: string | null;
  @ApiProperty({
    enum: ['signature_invalid', 'hash_differs', 'previous_differs'],
    description:
      'signature_invalid: stored as signed by the configured key but its signature does not verify; hash_differs: the log has ' +
      'another hash at its position; previous_differs: its `previous` is not the checkpoint stored before it (one was removed or slipped in)',
  })
  reason!: string;
}

export class CheckpointsCheckResponse {
  @ApiProperty({
    type: SigningKeyResponse,
    nullable: true,
    description: 'the configured signing key (AUDIT_SIGNING_KEY) checkpoints are verified with; null: none is configured, nothing is verified',
  })
  signingKey!: SigningKeyResponse | null;
  @ApiProperty({ description: 'checkpoints verified with the configured key: signature, link to the one before, hash at their position' })
  checked!: number;
  @ApiProperty({ description: 'checkpoints stored with another key (e.g. before a key change), or all of them without a configured key: not trusted' })
  unverifiable!: number;
  @ApiPropertyOptional({ type: UnverifiableCheckpointResponse }) firstUnverifiable?: UnverifiableCheckpointResponse;
  @ApiPropertyOptional({ type: ContradictedCheckpointResponse }) firstContradicted?: ContradictedCheckpointResponse;
}

export class VerifyResponse {
  @ApiProperty({
    enum: ['installation', 'company'],
    description: "installation: the whole chain (keys of the operator company); company: only the key's company's events",
  })
  scope!: string;
  @ApiProperty({ description: 'no event fails and no verified checkpoint contradicts the log' }) ok!: boolean;
  @ApiProperty({ description: 'events checked: of the whole log, or of the company only' }) checked!: number;
  @ApiPropertyOptional({ description: 'the first position that fails; with scope company always one of the company\'s own' })
  firstBadPosition?: number;
  @ApiPropertyOptional({
    enum: ['prev_hash_mismatch', 'hash_mismatch', 'next_prev_hash_mismatch'],
    description: 'next_prev_hash_mismatch (scope company): the event after it in the log, another company\'s, does not link to it',
  })
  reason?: string;
  @ApiProperty({
    type: ChainPositionResponse,
    nullable: true,
    description: "the last event that passed (of the log, or of the company); null when none did or the company has no events",
  })
  head!: ChainPositionResponse | null;
  @ApiProperty({ type: CheckpointsCheckResponse, description: 'signed checkpoints held against the log' }) checkpoints!: CheckpointsCheckResponse;
}
