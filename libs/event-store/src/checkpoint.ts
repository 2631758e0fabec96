import { LogCheckpoint } from './event.types';

/** Orders two reader checkpoints: negative if a is before b. */
export function compareCheckpoints(a: LogCheckpoint, b: LogCheckpoint): number {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.position - b.position;
}

export function hasReached(current: LogCheckpoint, target: LogCheckpoint): boolean {
  return compareCheckpoints(current, target) >= 0;
}
