import type { Request } from 'express';
import { Principal } from '../auth-record';

/** The guard's verdict, left on the request for metrics: OK or the refusal's code. */
export type AuthOutcomeRequest = Request & { authOutcome?: string };

/** A request as the pipeline sees it: the principal it sets, the request id the logging set. */
export type KeyedRequest = Request & { user?: Principal; id?: unknown; authOutcome?: string };

/** Says how the pipeline (or a check after it) answered the request: OK or the refusal's code, for the auth-outcome metrics. */
export function setAuthOutcome(req: Request, code: string): void {
  (req as KeyedRequest).authOutcome = code;
}

/** The route as declared (`/v1/keys/:id`), the mount path of a router outside Nest (`/admin/queues`), never the raw URL. */
export function routeOf(req: Request): string {
  if (req.route?.path) return `${req.baseUrl ?? ''}${req.route.path}`;
  return req.baseUrl || 'unmatched';
}
