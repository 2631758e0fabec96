import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { Principal } from '@keyward/auth';
import { CommandContext } from '@keyward/keys';

/** The command context of an authenticated request: company, acting key, its rights, and request metadata. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const req = context.switchToHttp().getRequest<Request & { user: Principal; id?: string }>();
  const p = req.user;
  const userAgent = req.headers['user-agent'];
  return {
    companyId: p.companyId,
    actor: { type: 'key', id: p.keyId },
    permissions: p.permissions,
    ownerId: p.ownerId,
    restrictions: { expiresAt: p.expiresAt ? p.expiresAt.toISOString() : null, allowedIps: p.allowedIps },
    metadata: {
      ip: req.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null,
      requestId: req.id ?? null,
    },
  };
});
