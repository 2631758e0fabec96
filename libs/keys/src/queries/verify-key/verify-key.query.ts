import { Query } from '@nestjs/cqrs';
import { RateLimitSetting } from '@keyward/database';

export type VerifyCode =
  | 'VALID'
  | 'NOT_FOUND'
  | 'EXPIRED'
  | 'REVOKED'
  | 'FORBIDDEN'
  | 'OWNER_DISABLED'
  | 'INSUFFICIENT_PERMISSIONS'
  | 'RATE_LIMITED';

export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  ownerId?: string;
  companyId?: string;
  permissions?: string[];
  expiresAt?: string | null;
  rateLimit?: RateLimitSetting;
}

/** Checks a key for a service that received it; a key of another company is NOT_FOUND. */
export class VerifyKeyQuery extends Query<VerifyResult> {
  constructor(
    readonly companyId: string,
    readonly key: string,
    readonly requiredPermissions: string[],
    readonly ip: string | undefined,
  ) {
    super();
  }
}
