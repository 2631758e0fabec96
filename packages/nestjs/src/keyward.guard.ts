import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { KEYWARD_KEY_PROPERTY, KEYWARD_PERMISSIONS, KEYWARD_PUBLIC, KEYWARD_RUNTIME } from './keyward.constants';
import { Authenticated, rateLimitHeaders } from './keyward-runtime';
import { KeywardService } from './keyward.service';
import { KeywardStrategy } from './keyward.strategy';
import { CHALLENGE, KeywardProblem } from './problem';
import type { KeyRecord } from './key-cache';
import type { QuotaDecision } from './quota-leases';
import { UsedRequest, UsedResponse, reportUseWhenDone } from './request-use';

interface GuardedRequest extends UsedRequest {
  [KEYWARD_RUNTIME]?: KeywardService;
  [KEYWARD_KEY_PROPERTY]?: unknown;
}

type HeaderTarget = UsedResponse & { setHeader?: (name: string, value: string) => void; header?: (name: string, value: string) => void };

/** What the guard needs of a route, read from its decorators once. */
interface RouteRule {
  public: boolean;
  permissions: readonly string[];
}

/** One run of the strategy for one request: passport's strategy protocol (success, fail, error, pass, redirect). */
interface StrategyRun {
  authenticate(req: unknown, options: object): void;
  settled: boolean;
  err: unknown;
  user: unknown;
  info: unknown;
  status: number | undefined;
  onSettled?: () => void;
}

const AUTHENTICATE_OPTIONS = Object.freeze({ session: false, property: KEYWARD_KEY_PROPERTY });

/**
 * Keyward's guard for a service's own routes, with Keyward's answers: passport strategy
 * `keyward` (401), then the key's rate limit across services (429 `RATE_LIMITED`), then the
 * route's `@RequirePermissions()` (403 `INSUFFICIENT_PERMISSIONS`); 503 `KEYWARD_UNAVAILABLE`
 * when the key cannot be checked. Each authenticated request is reported as one `KeyUsed`.
 *
 * It runs the registered `keyward` strategy itself, through passport's strategy protocol, rather
 * than through `passport.authenticate()`: that middleware also equips every request for sessions
 * and logins (six helpers and a session manager on the request, a promise chain), which a key
 * guard never uses and which cost more than the whole check of a cached key. `handleRequest`
 * decides as in any `AuthGuard`. A cached key with a quota block in hand is admitted without a
 * promise; only a fresh verify or a new block waits.
 */
@Injectable()
export class KeywardGuard extends AuthGuard('keyward') {
  private readonly rules = new WeakMap<object, Map<object, RouteRule>>();
  private readonly runPrototype: object;

  constructor(
    private readonly keyward: KeywardService,
    private readonly reflector: Reflector,
    strategy: KeywardStrategy,
  ) {
    super();
    this.runPrototype = strategyRunPrototype(strategy);
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rule = this.ruleOf(context);
    if (rule.public) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<GuardedRequest>();
    const res = http.getResponse<HeaderTarget>();
    req[KEYWARD_RUNTIME] = this.keyward;
    const authenticated = this.authenticate(req, context);
    if (authenticated instanceof Promise) return authenticated.then((a) => this.admit(a, req, res, rule));
    return this.admit(authenticated, req, res, rule);
  }

  override getAuthenticateOptions(): { session: boolean; property: string } {
    return AUTHENTICATE_OPTIONS;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown, _context?: ExecutionContext, _status?: number): T {
    if (err) throw err instanceof KeywardProblem ? err : KeywardProblem.unavailable();
    if (!user) throw info instanceof KeywardProblem ? info : new KeywardProblem(401, 'INVALID_API_KEY', 'the key is not valid', CHALLENGE);
    return user;
  }

  /** The strategy's outcome through `handleRequest`: at once when it settled in the call, else when it does. */
  private authenticate(req: GuardedRequest, context: ExecutionContext): Authenticated | Promise<Authenticated> {
    const run = Object.create(this.runPrototype) as StrategyRun;
    run.settled = false;
    run.authenticate(req, this.getAuthenticateOptions());
    if (run.settled) return this.decide(run, context);
    return new Promise<Authenticated>((resolve, reject) => {
      run.onSettled = () => {
        try {
          resolve(this.decide(run, context));
        } catch (err) {
          reject(err);
        }
      };
    });
  }

  private decide(run: StrategyRun, context: ExecutionContext): Authenticated {
    return this.handleRequest(run.err, run.user as Authenticated, run.info, context, run.status);
  }

  /** An authenticated request: reported when done, then its rate limit and the route's permissions. */
  private admit({ record, key }: Authenticated, req: GuardedRequest, res: HeaderTarget, rule: RouteRule): boolean | Promise<boolean> {
    req[KEYWARD_KEY_PROPERTY] = key;
    reportUseWhenDone(this.keyward.usage, req, res, record.keyId);
    const decision = this.keyward.spend(record);
    if (decision instanceof Promise) return decision.then((d) => this.allow(d, record, res, rule));
    return this.allow(decision, record, res, rule);
  }

  /** Within the key's rate limit: its headers, then the route's permissions. */
  private allow(decision: QuotaDecision | undefined, record: KeyRecord, res: HeaderTarget, rule: RouteRule): true {
    if (decision) setHeaders(res, rateLimitHeaders(decision));
    this.keyward.checkPermissions(record, rule.permissions);
    return true;
  }

  private ruleOf(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    const type = context.getClass();
    let byHandler = this.rules.get(type);
    if (!byHandler) this.rules.set(type, (byHandler = new Map()));
    let rule = byHandler.get(handler);
    if (!rule) {
      const targets = [handler, type];
      rule = {
        public: this.reflector.getAllAndOverride<boolean>(KEYWARD_PUBLIC, targets) === true,
        permissions: Object.freeze([...(this.reflector.getAllAndOverride<string[]>(KEYWARD_PERMISSIONS, targets) ?? [])]),
      };
      byHandler.set(handler, rule);
    }
    return rule;
  }
}

/**
 * What passport does for each request, without its middleware: a copy of the strategy whose
 * success/fail/error/pass/redirect record the outcome (the methods live on this prototype, so a
 * run allocates one small object).
 */
function strategyRunPrototype(strategy: KeywardStrategy): object {
  const settle = (run: StrategyRun, err: unknown, user: unknown, info?: unknown, status?: number) => {
    if (run.settled) return;
    run.settled = true;
    run.err = err;
    run.user = user;
    run.info = info;
    run.status = status;
    run.onSettled?.();
  };
  return Object.assign(Object.create(strategy), {
    success(this: StrategyRun, user: unknown, info?: unknown) {
      settle(this, null, user, info);
    },
    fail(this: StrategyRun, challenge?: unknown, status?: number) {
      if (typeof challenge === 'number') [challenge, status] = [undefined, challenge];
      settle(this, null, false, challenge, status ?? 401);
    },
    error(this: StrategyRun, err: unknown) {
      settle(this, err ?? new Error('the keyward strategy failed'), false);
    },
    pass(this: StrategyRun) {
      settle(this, null, false);
    },
    redirect(this: StrategyRun) {
      settle(this, new Error('the keyward strategy cannot redirect'), false);
    },
  });
}

function setHeaders(res: HeaderTarget, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) {
    if (typeof res.setHeader === 'function') res.setHeader(name, headers[name]);
    else res.header?.(name, headers[name]);
  }
}
