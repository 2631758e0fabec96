import { FieldError, Problem } from '@keyward/common';
import { ReservationConflictError, StreamConflictError } from '../errors';

/**
 * A lost race as the client sees it: another request changed a stream (409 VERSION_CONFLICT) or
 * took a unique value (409 ALREADY_EXISTS, naming `reserved`'s field); anything else is rethrown.
 */
export function asConflict(err: unknown, reserved?: FieldError): never {
  if (err instanceof StreamConflictError) {
    throw Problem.conflict('VERSION_CONFLICT', 'the resource was changed by another request; read it again and retry');
  }
  if (err instanceof ReservationConflictError) {
    const detail = reserved ? `${reserved.field}: ${reserved.message}` : 'already exists';
    throw new Problem(409, 'ALREADY_EXISTS', detail, reserved ? [reserved] : undefined);
  }
  throw err;
}
