import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import type { NextFunction, Request, Response } from 'express';
import { KeyLookupService, Permission, presentedKey } from '@keyward/auth';
import { QueueName, REDIS, RedisClient } from '@keyward/queue';
import { InstallationOperator } from '@keyward/system';
import { DataSource } from 'typeorm';
import { DASHBOARD_COOKIE, DashboardSessions, cookieValue } from './dashboard-sessions';
import { problemDocument, sendProblem } from '../http/problem.filter';

interface GateOptions {
  /** The permission the key needs. */
  permission?: Permission;
  /** Only keys of the installation's operator company (installation-wide views). */
  operator?: InstallationOperator;
  /** Also accept a dashboard session cookie (set by POST /v1/system/dashboard-session). */
  sessions?: DashboardSessions;
}

/**
 * For express routes outside the Nest guard (/docs, /admin/queues): a valid key, with
 * the permission and company given; problem+json otherwise.
 */
export function keyGate(lookup: KeyLookupService, options: GateOptions = {}) {
  const { permission, operator, sessions } = options;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    // the same header rules as the global guard: x-api-key, api-key, Authorization: Bearer (any case)
    const presented = presentedKey(req);
    if (presented.kind === 'ambiguous') {
      return sendProblem(res, problemDocument(401, 'AMBIGUOUS_API_KEY', presented.detail), { 'WWW-Authenticate': 'Bearer' });
    }
    const key = presented.kind === 'key' ? presented.key : undefined;
    const token = presented.kind === 'missing' && sessions ? cookieValue(req.headers.cookie, DASHBOARD_COOKIE) : undefined;
    let unavailable = false;
    const verdict = await (async () => {
      if (token === undefined) return lookup.evaluate(key, req.ip);
      const keyId = await sessions!.keyIdOf(token);
      return keyId ? lookup.evaluateById(keyId, req.ip) : null;
    })().catch(() => {
      unavailable = true; // Redis or Postgres did not answer: say so, do not pretend the key or session is bad
      return null;
    });
    if (unavailable) {
      return sendProblem(res, problemDocument(503, 'UNAVAILABLE', 'a dependency (Postgres or Redis) did not answer; retry shortly'), {
        'Retry-After': '5',
      });
    }
    if (!verdict?.ok) {
      const need = permission ? `a key with ${permission}` : 'a key';
      const code =
        token !== undefined
          ? 'DASHBOARD_SESSION_ENDED'
          : { key: 'INVALID_API_KEY', malformed: 'MALFORMED_API_KEY', missing: 'MISSING_API_KEY' }[presented.kind];
      const detail = token !== undefined ? `the dashboard session ended: open the dashboard again from the console (${need} is needed)` : `${need} is needed`;
      return sendProblem(res, problemDocument(401, code, detail), { 'WWW-Authenticate': 'Bearer' });
    }
    if (permission && !verdict.principal.permissions.includes(permission)) {
      return sendProblem(res, problemDocument(403, 'INSUFFICIENT_PERMISSIONS', `this key lacks the permission ${permission}`));
    }
    if (operator && verdict.principal.companyId !== (await operator.companyId().catch(() => null))) {
      return sendProblem(
        res,
        problemDocument(403, 'NOT_INSTALLATION_OPERATOR', 'the queues belong to the installation: only keys of its operator company (the first company) may open them'),
      );
    }
    next();
  };
}

/** The dashboard is outside the Nest guard: admin.system.api keys of the operator company, by header or dashboard session. */
@Injectable()
export class AdminKeyMiddleware implements NestMiddleware {
  private readonly gate: ReturnType<typeof keyGate>;

  // built here: bull-board resolves its middleware in its own module, where only global providers are seen
  constructor(lookup: KeyLookupService, dataSource: DataSource, @Inject(REDIS) redis: RedisClient, @Inject(KEYWARD_CONFIG) config: KeywardConfig) {
    this.gate = keyGate(lookup, {
      permission: 'admin.system.api',
      operator: new InstallationOperator(dataSource),
      sessions: new DashboardSessions(redis, config),
    });
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
