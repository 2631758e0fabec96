import { Problem } from '@keyward/common';
import { StreamConflictError } from '@keyward/event-store';

/** A concurrent change won the race: 409, nothing written; anything else is rethrown. */
export function asConflict(err: unknown): never {
  if (err instanceof StreamConflictError) {
    throw Problem.conflict('VERSION_CONFLICT', 'changed by another request meanwhile; nothing was written: retry');
  }
  throw err;
}
