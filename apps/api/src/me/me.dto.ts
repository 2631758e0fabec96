import { ApiProperty } from '@nestjs/swagger';
import { PERMISSIONS } from '@keyward/auth';

export class RateLimitResponse {
  @ApiProperty() limit!: number;
  @ApiProperty() windowSeconds!: number;
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
  @ApiProperty({ format: 'uuid' }) companyId!: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true, description: "effective: the key's permissions ∩ its owner's now" })
  permissions!: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: RateLimitResponse }) rateLimit!: RateLimitResponse;
}
