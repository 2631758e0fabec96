import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Principal } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import { userAgentOf } from '@keyward/observability';

/** The command context of an authenticated request: company, acting key, its rights, and request metadata. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const req = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
  const p = req.user;
  return {
    companyId: p.companyId,
    actor: { type: 'key', id: p.keyId },
    permissions: p.permissions,
    ownerId: p.ownerId,
    restrictions: { expiresAt: p.expiresAt ? p.expiresAt.toISOString() : null, allowedIps: p.allowedIps },
    metadata: {
      ip: req.ip,
      userAgent: userAgentOf(req),
      requestId: req.id,
    },
  };
});
