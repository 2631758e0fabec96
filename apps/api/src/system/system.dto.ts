import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS } from '@keyward/system';
import { OptionalNotNull } from '../http/validation';

export class ActivateCentralDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 512,
    description: 'the API key the central service issued to this installation; validated against CENTRAL_URL, stored encrypted',
    writeOnly: true,
  })
  @IsString()
  @Length(1, 512)
  @Matches(/^[\x21-\x7e]+$/, { message: 'apiKey must be printable ASCII without spaces' })
  apiKey!: string;
}

export class SetTelemetryDto {
  @ApiProperty({ description: 'true: send heartbeats every TELEMETRY_INTERVAL_MS; false (the default): none' })
  @IsBoolean()
  enabled!: boolean;
}

export class SharedSecretMetadataResponse {
  @ApiProperty() exists!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'sha256:3f1c9a0b7e2d4c51', description: 'first 16 hex of SHA-256(secret)' })
  fingerprint!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) createdAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'last rotation; null if never rotated' })
  rotatedAt!: string | null;
}

export class RotateSharedSecretDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_SECRET_OVERLAP_SECONDS,
    default: DEFAULT_SECRET_OVERLAP_SECONDS,
    description: 'how long the replaced secret keeps signing webhook deliveries beside the new one (two v1=), so receivers can switch; 0: it stops at once (a leak)',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_SECRET_OVERLAP_SECONDS)
  overlapSeconds?: number;
}

export class SharedSecretResponse {
  @ApiProperty({
    example: 'kwss_…',
    description: '`kwss_` + 43 base64url characters (32 random bytes). Signs outbound requests: Keyward-Signature.',
  })
  secret!: string;
  @ApiProperty({ example: 'sha256:3f1c9a0b7e2d4c51' }) fingerprint!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) rotatedAt!: string | null;
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'rotate only: until when the replaced secret still signs webhook deliveries (null: it stopped at once, or none was replaced)',
  })
  previousValidUntil?: string | null;
}

const CENTRAL_STATUSES = ['not_configured', 'inactive', 'url_changed', 'active', 'rejected', 'unreachable'];
const OUTCOMES = ['ok', 'rejected', 'unreachable', 'timeout'];

export class CentralResponse {
  @ApiProperty({
    enum: CENTRAL_STATUSES,
    description:
      'not_configured: no CENTRAL_URL; inactive: no link; url_changed: activated for another CENTRAL_URL; ' +
      'active / rejected / unreachable: linked, and how the last contact (activation, check, heartbeat) went',
  })
  status!: string;
  @ApiProperty({ type: String, nullable: true, description: 'CENTRAL_URL' }) url!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) installationId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) activatedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastCheckAt!: string | null;
  @ApiProperty({ type: String, enum: OUTCOMES, nullable: true }) lastCheckOutcome!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'last heartbeat the central service accepted' })
  lastHeartbeatAt!: string | null;
}

export class TelemetryResponse {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ enum: ['off', 'on', 'paused'], description: 'paused: enabled, but the central link cannot be used (pausedReason)' })
  state!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['CENTRAL_NOT_CONFIGURED', 'CENTRAL_NOT_ACTIVE', 'CENTRAL_URL_CHANGED'] })
  pausedReason!: string | null;
  @ApiProperty() intervalMs!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastFailureAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastFailureReason!: string | null;
}

export class QueueCountsResponse {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() delayed!: number;
}

export class ProjectionLagResponse {
  @ApiProperty({ description: "events committed after the projector's checkpoint" }) events!: number;
  @ApiProperty({ description: 'age of the oldest of them (0 when none)' }) seconds!: number;
}

export class SystemStatusResponse {
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty({ type: CentralResponse }) central!: CentralResponse;
  @ApiProperty({ type: TelemetryResponse }) telemetry!: TelemetryResponse;
  @ApiProperty({
    type: 'object',
    additionalProperties: { nullable: true, allOf: [{ $ref: getSchemaPath(QueueCountsResponse) }] },
    description: 'per BullMQ queue; null when Redis did not answer',
  })
  queues!: Record<string, QueueCountsResponse | null>;
  @ApiProperty({ type: ProjectionLagResponse }) projectionLag!: ProjectionLagResponse;
}

export class CentralCheckResponse {
  @ApiProperty({ enum: OUTCOMES }) outcome!: string;
  @ApiProperty({ type: Number, nullable: true }) httpStatus!: number | null;
  @ApiProperty() latencyMs!: number;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ format: 'date-time' }) checkedAt!: string;
  @ApiProperty({ type: CentralResponse }) central!: CentralResponse;
}

export class HeartbeatResponse {
  @ApiProperty({ enum: ['sent', 'failed'] }) outcome!: string;
  @ApiProperty() heartbeatId!: string;
  @ApiProperty() attempt!: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) httpStatus?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) latencyMs?: number | null;
  @ApiPropertyOptional({ format: 'date-time' }) sentAt?: string;
  @ApiPropertyOptional({ enum: [...OUTCOMES.slice(1), 'error'], description: 'failed only' }) failure?: string;
  @ApiPropertyOptional({ description: 'failed only' }) reason?: string;
  @ApiPropertyOptional({ description: 'failed only: HeartbeatFailed was recorded, no attempt follows' }) final?: boolean;
  @ApiPropertyOptional({ description: 'failed only: another attempt may succeed (no connection, timeout)' }) retryable?: boolean;
}
