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
  const userAgent = headerOf(req as UsedRequest, 'user-agent');
  const requestId = req.id !== undefined ? String(req.id) : headerOf(req as UsedRequest, 'x-request-id');
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
      headerOf(req, 'user-agent'),
      req.id !== undefined ? String(req.id) : headerOf(req, 'x-request-id'),
      Math.round(performance.now() - startedAt),
    ),
  );
}

/** The route as declared (`/invoices/:id`), never the raw URL. */
export function routeOf(req: UsedRequest): string {
  if (req.route?.path) return req.baseUrl ? req.baseUrl + req.route.path : req.route.path;
  return req.routeOptions?.url ?? (req.baseUrl || 'unmatched');
}

export function headerOf(req: UsedRequest, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}
