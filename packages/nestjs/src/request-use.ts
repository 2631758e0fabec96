import type { VerifyRequest } from './client';
import type { UsageReporter } from './usage-reporter';

/** A request as the usage report reads it: Express's, or Node's under Fastify's reply. */
export interface UsedRequest {
  method?: string;
  ip?: string;
  id?: unknown;
  headers: Record<string, string | string[] | undefined>;
  baseUrl?: string;
  route?: { path?: string };
  routeOptions?: { url?: string };
  socket?: { remoteAddress?: string };
}

/** The request as Keyward's trail names it, for a verify on its behalf (`method` and `route` known). */
export function describedRequest(req: Partial<UsedRequest>): VerifyRequest['request'] {
  if (!req.method || !req.headers) return undefined;
  const userAgent = userAgentOf(req as UsedRequest);
  const requestId = requestIdOf(req as UsedRequest);
  return { method: req.method, route: routeOf(req as UsedRequest), ...(userAgent ? { userAgent } : {}), ...(requestId ? { requestId } : {}) };
}

/** A response: Node's (Express's), or Fastify's reply wrapping it in `raw`. */
export interface UsedResponse {
  raw?: UsedResponse;
  statusCode?: number;
  on?: (event: 'close', listener: () => void) => unknown;
}

/**
 * Reports the request as one `KeyUsed` once its response is done: Node emits `close` on the
 * response after the last byte went out, or when the connection ended first — with the status
 * the request ended with (a refusal by the rate limit or a permission included). The request id
 * is the service's (`req.id`, else `x-request-id`), else the record's eventId.
 */
export function reportUseWhenDone(usage: Pick<UsageReporter, 'add'>, req: UsedRequest, res: UsedResponse, keyId: string): void {
  const startedAt = performance.now();
  const raw = res.raw ?? res;
  // `close` comes once per response: `on` spares the wrapper `once` would add and remove
  raw.on?.('close', () =>
    usage.add(
      keyId,
      req.method ?? 'GET',
      routeOf(req),
      raw.statusCode ?? 0,
      req.ip ?? req.socket?.remoteAddress ?? null,
      userAgentOf(req),
      requestIdOf(req),
      Math.round(performance.now() - startedAt),
    ),
  );
}

/**
 * What Keyward takes of a request's fields (docs/verifier-protocol.md): a longer value is cut,
 * never sent whole — Keyward would refuse the record (and a usage record it refuses is dropped)
 * or the verify (and the caller would get a 503).
 */
const MAX = { route: 512, userAgent: 512, requestId: 200 };

/** The route as declared (`/invoices/:id`), never the raw URL. */
export function routeOf(req: UsedRequest): string {
  const route = req.route?.path ? (req.baseUrl ? req.baseUrl + req.route.path : req.route.path) : (req.routeOptions?.url ?? (req.baseUrl || 'unmatched'));
  return clip(route, MAX.route);
}

export function userAgentOf(req: UsedRequest): string | null {
  const value = headerOf(req, 'user-agent');
  return value === null ? null : clip(value, MAX.userAgent);
}

/** The service's request id: `req.id`, else `x-request-id`; null when it has none. */
export function requestIdOf(req: UsedRequest): string | null {
  const value = req.id !== undefined ? String(req.id) : headerOf(req, 'x-request-id');
  return value === null ? null : clip(value, MAX.requestId);
}

function headerOf(req: UsedRequest, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair (Keyward refuses lone surrogates). */
function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value[max - 1]) ? max - 1 : max;
  return value.slice(0, end);
}
