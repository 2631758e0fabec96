import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import type { ServerResponse } from 'node:http';
import { AuthPipeline, KeyLookupService, KeyedRequest, Permission, presentedKey, setAuthOutcome } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { QueueName, REDIS, RedisClient } from '@keyward/queue';
import { InstallationOperator } from '@keyward/system';
import { DataSource } from 'typeorm';
import { DASHBOARD_COOKIE, DASHBOARD_PATH, DashboardSessions, cookieValue } from './dashboard-sessions';
import { ProblemFilter } from '../http/problem.filter';
import type { Next } from '../http/request-guards.middleware';

interface GateOptions {
  /** The permission the key needs. */
  permission?: Permission;
  /** Only keys of the installation's operator company (installation-wide views). */
  operator?: InstallationOperator;
  /** Also accept a dashboard session cookie (set by POST /v1/system/dashboard-session). */
  sessions?: { store: DashboardSessions; lookup: KeyLookupService };
}

const problems = new ProblemFilter();

/**
 * For routes outside Nest's router (/docs, /admin/queues), as middleware on Node's request and
 * response: the same AuthPipeline as the global guard (authentication with the failure throttle
 * and AuthenticationFailed, the key's rate limit, the permission), problem+json otherwise. With
 * `sessions`, a request without a key may instead carry a dashboard session: its key is read by id
 * and must still be valid and hold the permission (AuthPipeline.admitSession); a session that
 * ended is 401 DASHBOARD_SESSION_ENDED.
 */
export function guardedRoute(pipeline: AuthPipeline, options: GateOptions = {}) {
  const { permission, operator, sessions } = options;
  const required: Permission[] = permission ? [permission] : [];
  const admitSession = async (req: KeyedRequest, token: string) => {
    const keyId = await sessions!.store.keyIdOf(token);
    const verdict = keyId ? await sessions!.lookup.evaluateById(keyId, req.ip) : null;
    if (!verdict?.ok) {
      setAuthOutcome(req, 'DASHBOARD_SESSION_ENDED');
      const need = permission ? `a key with ${permission}` : 'a key';
      throw new Problem(401, 'DASHBOARD_SESSION_ENDED', `the dashboard session ended: open the dashboard again from the console (${need} is needed)`, undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    return pipeline.admitSession(req, verdict.principal, required);
  };
  return async (req: KeyedRequest, res: ServerResponse, next: Next): Promise<void> => {
    try {
      const token = sessions && presentedKey(req).kind === 'missing' ? cookieValue(req.headers.cookie, DASHBOARD_COOKIE) : undefined;
      const principal = token === undefined ? await pipeline.admit(req, res, required) : await admitSession(req, token);
      if (operator && principal.companyId !== (await operator.companyId())) {
        setAuthOutcome(req, 'NOT_INSTALLATION_OPERATOR');
        throw new Problem(403, 'NOT_INSTALLATION_OPERATOR', 'the queues belong to the installation: only keys of its operator company (the first company) may open them');
      }
    } catch (err) {
      return problems.respond(res, err); // a dependency that did not answer: 503 UNAVAILABLE, as everywhere
    }
    next();
  };
}

/**
 * The dashboard is outside the Nest guard: admin.system.api keys of the operator company, by
 * header or dashboard session. Mounted by configureApp on the dashboard's every path (bull-board's
 * own `middleware` option would only cover /admin/queues itself on Fastify).
 */
export function queueDashboardGate(app: INestApplicationContext) {
  return guardedRoute(app.get(AuthPipeline), {
    permission: 'admin.system.api',
    operator: new InstallationOperator(app.get(DataSource)),
    sessions: { store: new DashboardSessions(app.get<RedisClient>(REDIS), app.get<KeywardConfig>(KEYWARD_CONFIG)), lookup: app.get(KeyLookupService) },
  });
}

/** bull-board at /admin/queues over every Keyward queue. */
export function queueDashboard(): DynamicModule[] {
  return [
    BullBoardModule.forRoot({ route: DASHBOARD_PATH, adapter: FastifyAdapter }),
    ...Object.values(QueueName).map((name) => BullBoardModule.forFeature({ name, adapter: BullMQAdapter })),
  ];
}
