import { randomUUID } from 'node:crypto';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { KEYWARD_KEY_PROPERTY, KEYWARD_PERMISSIONS, KEYWARD_PUBLIC, KEYWARD_RUNTIME } from './keyward.constants';
import { Authenticated } from './keyward-runtime';
import { KeywardService } from './keyward.service';
import { CHALLENGE, KeywardProblem } from './problem';

interface GuardedRequest {
  method: string;
  ip?: string;
  id?: unknown;
  headers: Record<string, string | string[] | undefined>;
  baseUrl?: string;
  route?: { path?: string };
  routeOptions?: { url?: string };
  [KEYWARD_RUNTIME]?: KeywardService;
  [KEYWARD_KEY_PROPERTY]?: unknown;
}

/**
 * Keyward's guard for a service's own routes, with Keyward's answers: passport strategy
 * `keyward` (401), then the key's rate limit across services (429 `RATE_LIMITED`), then the
 * route's `@RequirePermissions()` (403 `INSUFFICIENT_PERMISSIONS`); 503 `KEYWARD_UNAVAILABLE`
 * when the key cannot be checked. Each authenticated request is reported as one `KeyUsed`.
 */
@Injectable()
export class KeywardGuard extends AuthGuard('keyward') {
  constructor(
    private readonly keyward: KeywardService,
    private readonly reflector: Reflector,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(KEYWARD_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    const res = context.switchToHttp().getResponse();
    const startedAt = performance.now();
    const requestId = randomUUID();
    req[KEYWARD_RUNTIME] = this.keyward;
    await super.canActivate(context);
    const { record, key } = req[KEYWARD_KEY_PROPERTY] as Authenticated;
    req[KEYWARD_KEY_PROPERTY] = key;
    onFinish(res, (status) =>
      this.keyward.recordUse({
        keyId: record.keyId,
        method: req.method,
        route: routeOf(req),
        status,
        ip: req.ip ?? null,
        userAgent: headerOf(req, 'user-agent'),
        requestId: req.id !== undefined ? String(req.id) : (headerOf(req, 'x-request-id') ?? requestId),
        durationMs: Math.round(performance.now() - startedAt),
      }),
    );
    const headers = await this.keyward.spend(record);
    for (const [name, value] of Object.entries(headers)) setHeader(res, name, value);
    this.keyward.checkPermissions(record, this.reflector.getAllAndOverride<string[]>(KEYWARD_PERMISSIONS, targets) ?? []);
    return true;
  }

  override getAuthenticateOptions(): { session: boolean; property: string } {
    return { session: false, property: KEYWARD_KEY_PROPERTY };
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err) throw err instanceof KeywardProblem ? err : KeywardProblem.unavailable();
    if (!user) throw info instanceof KeywardProblem ? info : new KeywardProblem(401, 'INVALID_API_KEY', 'the key is not valid', CHALLENGE);
    return user;
  }
}

/** The route as declared (`/invoices/:id`), never the raw URL. */
function routeOf(req: GuardedRequest): string {
  if (req.route?.path) return `${req.baseUrl ?? ''}${req.route.path}`;
  return req.routeOptions?.url ?? 'unmatched';
}

function headerOf(req: GuardedRequest, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

type AnyResponse = { raw?: AnyResponse; statusCode?: number; once?: (event: string, fn: () => void) => void; setHeader?: (n: string, v: string) => void; header?: (n: string, v: string) => void };

function onFinish(res: AnyResponse, fn: (status: number) => void): void {
  const raw = res.raw ?? res; // Fastify's reply wraps Node's response
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    fn(raw.statusCode ?? 0);
  };
  raw.once?.('finish', once);
  raw.once?.('close', once);
}

function setHeader(res: AnyResponse, name: string, value: string): void {
  if (typeof res.setHeader === 'function') res.setHeader(name, value);
  else res.header?.(name, value);
}
