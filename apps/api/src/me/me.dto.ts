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
  @ApiProperty({
    type: [String],
    description: "the key's allowed addresses (empty: any); keys it creates must stay inside them and expire no later than expiresAt",
  })
  allowedIps!: string[];
}
