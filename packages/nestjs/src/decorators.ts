import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import { KEYWARD_KEY_PROPERTY, KEYWARD_PERMISSIONS, KEYWARD_PUBLIC } from './keyward.constants';

/** The permissions (company-defined, e.g. `invoices:write`) a route needs; all of them. */
export const RequirePermissions = (...names: string[]) => SetMetadata(KEYWARD_PERMISSIONS, names);

/** A route of a guarded controller that needs no key. */
export const KeywardPublic = () => SetMetadata(KEYWARD_PUBLIC, true);

/** The key that authenticated the request: `{ keyId, ownerId, companyId, name, permissions, roles, meta, externalId, expiresAt }`. */
export const KeywardKey = createParamDecorator((_data: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest()[KEYWARD_KEY_PROPERTY]);
