/**
 * What the global set-up started, for the global teardown. Jest runs both in its main process
 * but loads them as separate modules: globalThis is the place they share.
 */
export interface RunState {
  runId: string;
  pgAdminUrl?: string;
  /** Redis whose keys of this run must be deleted (one we did not start). */
  sharedRedisUrl?: string;
  /** REDIS_CLUSTER_NODES of a Redis Cluster we did not start (TEST_REDIS_CLUSTER_NODES), whose keys of this run must be deleted. */
  sharedRedisClusterNodes?: string;
  /** In start order; stopped in reverse. */
  stoppers: Array<() => Promise<void>>;
  tempDirs: string[];
}

const KEY = Symbol.for('keyward.testing.run-state');

export function saveRunState(state: RunState): void {
  (globalThis as Record<symbol, unknown>)[KEY] = state;
}

/** The state of the set-up that already ran in this process, if one did (left in place). */
export function peekRunState(): RunState | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as RunState | undefined;
}

export function takeRunState(): RunState | undefined {
  const state = (globalThis as Record<symbol, unknown>)[KEY] as RunState | undefined;
  delete (globalThis as Record<symbol, unknown>)[KEY];
  return state;
}
