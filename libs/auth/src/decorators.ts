import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Principal } from './auth-record';
import { Permission } from './permissions';

export const IS_PUBLIC = 'keyward:public';
export const REQUIRED_PERMISSIONS = 'keyward:permissions';

/** Opens a route to callers without a key. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Every listed permission is needed (on top of a valid key). */
export const RequirePermissions = (...permissions: Permission[]) => SetMetadata(REQUIRED_PERMISSIONS, permissions);

/** The authenticated key of the request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().user,
);
