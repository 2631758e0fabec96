import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuthFailureReason, KeyLookupService } from '@keyward/auth';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { VerifyCode, VerifyKeyQuery, VerifyResult } from './verify-key.query';

const CODES: Record<AuthFailureReason, VerifyCode> = {
  MISSING: 'NOT_FOUND',
  MALFORMED: 'NOT_FOUND',
  NOT_FOUND: 'NOT_FOUND',
  DELETED: 'NOT_FOUND',
  REVOKED: 'REVOKED',
  EXPIRED: 'EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
  OWNER_DISABLED: 'OWNER_DISABLED',
};

@QueryHandler(VerifyKeyQuery)
export class VerifyKeyHandler implements IQueryHandler<VerifyKeyQuery> {
  constructor(
    private readonly lookup: KeyLookupService,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute(q: VerifyKeyQuery): Promise<VerifyResult> {
    const result = await this.lookup.evaluate(q.key, q.ip);
    if (result.companyId !== undefined && result.companyId !== q.companyId) return { valid: false, code: 'NOT_FOUND' };
    if (!result.ok) return { valid: false, code: CODES[result.reason] };
    const p = result.principal;
    const identity = {
      keyId: p.keyId,
      ownerId: p.ownerId,
      companyId: p.companyId,
      permissions: p.permissions,
      expiresAt: p.expiresAt ? p.expiresAt.toISOString() : null,
      rateLimit: p.rateLimit ?? this.config.keys.defaultRateLimit,
    };
    const missing = q.requiredPermissions.filter((perm) => !p.permissions.includes(perm as never));
    if (missing.length > 0) return { valid: false, code: 'INSUFFICIENT_PERMISSIONS', ...identity };
    return { valid: true, code: 'VALID', ...identity };
  }
}
