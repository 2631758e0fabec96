import { Injectable } from '@nestjs/common';
import { Problem } from '@keyward/common';
import { Principal } from '../auth-record';
import { Permission } from '../permissions';
import { KeyedRequest, setAuthOutcome } from './request';

/** Step 3 of the pipeline: the key holds every permission the route needs, or 403 INSUFFICIENT_PERMISSIONS. */
@Injectable()
export class PermissionStep {
  check(req: KeyedRequest, principal: Principal, required: readonly Permission[]): void {
    if (required.every((p) => principal.permissions.includes(p))) return;
    setAuthOutcome(req, 'INSUFFICIENT_PERMISSIONS');
    const missing = required.filter((p) => !principal.permissions.includes(p));
    throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', `this key lacks the permission ${missing.join(', ')}`);
  }
}
