import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Problem } from '@keyward/common';
import { Principal } from './auth-record';
import { AuthenticatedRequest, STRATEGIES } from './api-key.strategies';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from './decorators';
import { Permission } from './permissions';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/** The one global guard: a valid key on every route but `@Public()` ones, then `@RequirePermissions()`. */
@Injectable()
export class ApiKeyGuard extends AuthGuard([...STRATEGIES]) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const required = this.reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, targets) ?? [];
    const principal = context.switchToHttp().getRequest().user as Principal;
    const missing = required.filter((p) => !principal.permissions.includes(p));
    if (missing.length > 0) {
      throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', `this key lacks the permission ${missing.join(', ')}`);
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (err) throw err;
    if (user) return user;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reason = req.authFailure ?? (hasAnyKeyHeader(req) ? 'MALFORMED' : 'MISSING');
    if (reason === 'MISSING') {
      throw new Problem(401, 'MISSING_API_KEY', 'send a key in x-api-key or Authorization: Bearer', undefined, CHALLENGE);
    }
    if (reason === 'MALFORMED') {
      throw new Problem(401, 'MALFORMED_API_KEY', 'the key is not a well-formed Keyward key', undefined, CHALLENGE);
    }
    // one answer for every other reason: no hint whether the key exists
    throw new Problem(401, 'INVALID_API_KEY', 'the key is not valid', undefined, CHALLENGE);
  }
}

function hasAnyKeyHeader(req: AuthenticatedRequest): boolean {
  return req.headers['x-api-key'] !== undefined || req.headers.authorization !== undefined;
}
