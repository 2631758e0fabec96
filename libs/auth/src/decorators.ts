import { ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { Principal } from './auth-record';
import { Permission } from './permissions';

export const IS_PUBLIC = 'keyward:public';
export const REQUIRED_PERMISSIONS = 'keyward:permissions';

/** Opens a route to callers without a key. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Every listed permission is needed (on top of a valid key). The OpenAPI document says so too,
 * as `x-required-permissions` on the operation (the console's Playground shows it). On a class,
 * @nestjs/swagger copies the extension onto each route method that has none of its own, the
 * same way the guard lets a method's permissions override the class's.
 */
export const RequirePermissions = (...permissions: Permission[]) =>
  applyDecorators(SetMetadata(REQUIRED_PERMISSIONS, permissions), ApiExtension('x-required-permissions', permissions));

/** The authenticated key of the request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().user,
);
