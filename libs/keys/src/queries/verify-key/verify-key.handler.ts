import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuthFailureReason, KeyLookupService, KeyRateLimiter } from '@keyward/auth';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { UsageBuffer } from '@keyward/usage';
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
    private readonly limits: KeyRateLimiter,
    private readonly usage: UsageBuffer,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute(q: VerifyKeyQuery): Promise<VerifyResult> {
    const result = await this.lookup.evaluate(q.key, q.request.ip ?? undefined);
    if (result.companyId !== undefined && result.companyId !== q.companyId) return { valid: false, code: 'NOT_FOUND' };
    if (!result.ok) {
      if (result.reason !== 'MALFORMED') this.record(q, result.keyId ?? null, result.reason);
      return result.reason === 'FORBIDDEN' ? { valid: false, code: 'FORBIDDEN', ip: q.request.ip } : { valid: false, code: CODES[result.reason] };
    }
    const p = result.principal;
    const identity = {
      keyId: p.keyId,
      ownerId: p.ownerId,
      companyId: p.companyId,
      permissions: [...p.permissions],
      expiresAt: p.expiresAt ? p.expiresAt.toISOString() : null,
      rateLimit: p.rateLimit ?? this.config.keys.defaultRateLimit,
      name: p.name,
      roles: [...p.roles],
      meta: p.meta,
      externalId: p.externalId,
      allowedIps: [...p.allowedIps],
    };
    // a verified key was used, through the service that asked: it counts in its trail and lastUsedAt
    // (unless the service reports its own usage: record false)
    if (q.record) this.record(q, p.keyId);
    const missing = q.requiredPermissions.filter((perm) => !p.permissions.includes(perm));
    if (missing.length > 0) return { valid: false, code: 'INSUFFICIENT_PERMISSIONS', ...identity, missingPermissions: missing };
    if (q.record) {
      const rate = await this.limits.consume(p.keyId, p.rateLimit);
      if (!rate.allowed) return { valid: false, code: 'RATE_LIMITED', ...identity };
    }
    return { valid: true, code: 'VALID', ...identity };
  }

  /** The verified key's use, or its refusal, in the audit trail (the same record the guard makes). */
  private record(q: VerifyKeyQuery, keyId: string | null, reason?: AuthFailureReason): void {
    this.usage.record({
      type: reason ? 'AuthenticationFailed' : 'KeyUsed',
      occurredAt: new Date().toISOString(),
      companyId: q.companyId,
      keyId,
      ...(reason ? { reason } : {}),
      method: q.request.method,
      route: q.request.route,
      status: 200,
      ip: q.request.ip,
      userAgent: q.request.userAgent,
      requestId: q.request.requestId,
      durationMs: 0,
    });
  }
}
