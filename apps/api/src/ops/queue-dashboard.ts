import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { KeyLookupService, Permission } from '@keyward/auth';
import { QueueName } from '@keyward/queue';
import { problemDocument, sendProblem } from '../http/problem.filter';

/**
 * For express routes outside the Nest guard (/docs, /admin/queues): a valid key, with
 * `permission` when given; problem+json otherwise.
 */
export function keyGate(lookup: KeyLookupService, permission?: Permission) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined;
    const key = req.headers['x-api-key'] ?? bearer;
    const verdict = await lookup.evaluate(key, req.ip).catch(() => null);
    if (!verdict?.ok) {
      const need = permission ? `a key with ${permission}` : 'a key';
      return sendProblem(res, problemDocument(401, key ? 'INVALID_API_KEY' : 'MISSING_API_KEY', `${need} is needed`), {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (permission && !verdict.principal.permissions.includes(permission)) {
      return sendProblem(res, problemDocument(403, 'INSUFFICIENT_PERMISSIONS', `this key lacks the permission ${permission}`));
    }
    next();
  };
}

/** The dashboard is outside the Nest guard: admin.system.api keys only. */
@Injectable()
export class AdminKeyMiddleware implements NestMiddleware {
  private readonly gate: ReturnType<typeof keyGate>;

  constructor(lookup: KeyLookupService) {
    this.gate = keyGate(lookup, 'admin.system.api');
  }

  use(req: Request, res: Response, next: NextFunction): Promise<void> {
    return this.gate(req, res, next);
  }
}

/** bull-board at /admin/queues over every Keyward queue. */
export function queueDashboard(): DynamicModule[] {
  return [
    BullBoardModule.forRoot({ route: '/admin/queues', adapter: ExpressAdapter, middleware: AdminKeyMiddleware }),
    ...Object.values(QueueName).map((name) => BullBoardModule.forFeature({ name, adapter: BullMQAdapter })),
  ];
}
