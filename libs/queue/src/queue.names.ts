/** Every BullMQ queue. Each has exactly one processor in apps/worker (checked at worker start-up). */
export enum QueueName {
  Projections = 'projections',
}

export enum JobName {
  /** Wake the projector: apply every committed event after its checkpoint. */
  Project = 'project',
}

/** Typed payload of each job. */
export interface JobPayloads {
  [JobName.Project]: { reason: string };
}

/** The queue each job belongs to. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.Project]: QueueName.Projections,
};

/** Id of the scheduler that wakes the projector on a fixed interval, in case a wake-up was lost. */
export const PROJECTION_TICK_SCHEDULER = 'projection-tick';

/** Redis pub/sub channels (prefixed with REDIS_PREFIX). */
export const Channels = {
  projectionCheckpoint: (prefix: string) => `${prefix}:projections:checkpoint`,
  authInvalidate: (prefix: string) => `${prefix}:auth:invalidate`,
  authAck: (prefix: string, instanceId: string) => `${prefix}:auth:ack:${instanceId}`,
  authInstances: (prefix: string) => `${prefix}:auth:instances`,
};
