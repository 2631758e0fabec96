import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from './decorators';
import { Permission } from './permissions';
import { AuthPipeline } from './pipeline/auth-pipeline';
import { Principal } from './auth-record';

/** What a route asks of a caller, read once per route from its decorators. */
interface RouteAuth {
  public: boolean;
  permissions: readonly Permission[];
}

/** The Fastify request of a Nest route: its principal, once admitted, for @CurrentPrincipal. */
type GuardedRequest = FastifyRequest & { user?: Principal };

/**
 * The one global guard: a route marked @Public is open; every other goes through the
 * AuthPipeline (authentication, rate limit, permissions) with the permissions its
 * @RequirePermissions names (a method's override its class's).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Per controller class, then handler: a handler inherited by two controllers may be decorated differently by each. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly pipeline: AuthPipeline,
  ) {}

  canActivate(context: ExecutionContext): true | Promise<boolean> {
    const route = this.routeAuth(context);
    if (route.public) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<GuardedRequest>();
    // the pipeline works on Node's request and response, as for the routes outside Nest's router
    const admitted = this.pipeline.admit(req.raw, http.getResponse<FastifyReply>().raw, route.permissions);
    if (admitted instanceof Promise) {
      return admitted.then((principal) => {
        req.user = principal;
        return true;
      });
    }
    req.user = admitted;
    return true;
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    const controller = context.getClass();
    let routes = this.routes.get(controller);
    if (!routes) this.routes.set(controller, (routes = new WeakMap()));
    let route = routes.get(handler);
    if (!route) {
      const targets = [handler, controller];
      route = {
        public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        permissions: Object.freeze(this.reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, targets) ?? []),
      };
      routes.set(handler, route);
    }
    return route;
  }
}
