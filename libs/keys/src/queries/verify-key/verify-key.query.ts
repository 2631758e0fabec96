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
  name?: string;
  roles?: string[];
  meta?: Record<string, unknown>;
  externalId?: string | null;
  /** The key's own allowed addresses (empty: any), for a caller that checks them itself. */
  allowedIps?: string[];
  /** INSUFFICIENT_PERMISSIONS: which of the asked permissions the key lacks. */
  missingPermissions?: string[];
  /** FORBIDDEN: the address that was checked against the key's allowedIps. */
  ip?: string | null;
}

/** The verify call itself, for the audit trail. */
export interface VerifyRequest {
  /** The end client's address when the caller gave it, else the caller's. */
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  method: string;
  route: string;
}

/**
 * Checks a key for a service that received it; a key of another company is NOT_FOUND.
 * With `record`, a valid key spends one request of its rate limit and is recorded as KeyUsed;
 * without, neither (the caller reports its own usage and leases quota). A refused key is
 * recorded as AuthenticationFailed either way.
 */
export class VerifyKeyQuery extends Query<VerifyResult> {
  constructor(
    readonly companyId: string,
    readonly key: string,
    readonly requiredPermissions: string[],
    readonly request: VerifyRequest,
    readonly record = true,
  ) {
    super();
  }
}
