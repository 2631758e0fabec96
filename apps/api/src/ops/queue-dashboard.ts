import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { KeyLookupService } from '@keyward/auth';
import { QueueName } from '@keyward/queue';
import { problemDocument, sendProblem } from '../http/problem.filter';

/** The dashboard is outside the Nest guard: it checks the key itself, admin.system.api only. */
@Injectable()
export class AdminKeyMiddleware implements NestMiddleware {
  constructor(private readonly lookup: KeyLookupService) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined;
    const key = req.headers['x-api-key'] ?? bearer;
    const verdict = await this.lookup.evaluate(key, req.ip);
    if (!verdict.ok) {
      return sendProblem(res, problemDocument(401, key ? 'INVALID_API_KEY' : 'MISSING_API_KEY', 'an admin.system.api key is needed'), {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (!verdict.principal.permissions.includes('admin.system.api')) {
      return sendProblem(res, problemDocument(403, 'INSUFFICIENT_PERMISSIONS', 'this key lacks the permission admin.system.api'));
    }
    next();
  }
}

/** bull-board at /admin/queues over every Keyward queue. */
export function queueDashboard(): DynamicModule[] {
  return [
    BullBoardModule.forRoot({ route: '/admin/queues', adapter: ExpressAdapter, middleware: AdminKeyMiddleware }),
    ...Object.values(QueueName).map((name) => BullBoardModule.forFeature({ name, adapter: BullMQAdapter })),
  ];
}
