import type { KeepJobs } from 'bullmq';

/**
 * How long a job that ended failed (its last attempt) stays in its queue's failed set: the
 * dead letters, kept for inspection and retry at /admin/queues (its error, stack trace and data).
 * Bounded: the newest 5,000 of each queue, none older than 30 days (BullMQ trims when another
 * job of the queue fails). Usage batches are the exception: they hold the only copy of their
 * records and are never trimmed (libs/usage).
 */
export const KEEP_FAILED_JOBS: KeepJobs = { count: 5_000, age: 30 * 24 * 3600 };
