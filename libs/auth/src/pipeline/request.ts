import type { IncomingMessage } from 'node:http';
import { Principal } from '../auth-record';

/**
 * Node's request as the HTTP layer hands it to middleware and to the pipeline (Fastify's
 * `request.raw`): before any of them runs, the client address (under TRUST_PROXY) and the request
 * id are set on it (@fastify/middie), and the route it matched as declared (the API's first
 * request hook).
 */
export type RoutedRequest = IncomingMessage & { ip?: string; id?: unknown; declaredRoute?: string };

/** The guard's verdict, left on the request for metrics: OK or the refusal's code. */
export type AuthOutcomeRequest = RoutedRequest & { authOutcome?: string };

/** A request as the pipeline sees it: the principal and the verdict it sets. */
export type KeyedRequest = AuthOutcomeRequest & { user?: Principal };

/** Says how the pipeline (or a check after it) answered the request: OK or the refusal's code, for the auth-outcome metrics. */
export function setAuthOutcome(req: AuthOutcomeRequest, code: string): void {
  req.authOutcome = code;
}

/** The route as declared (`/v1/keys/:id`, `/admin/queues/api/queues`), never the raw URL. */
export function routeOf(req: RoutedRequest): string {
  return req.declaredRoute ?? 'unmatched';
}
