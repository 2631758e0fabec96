export * from './queue.names';
export * from './job-retention';
export * from './redis';
export * from './redis.module';
export * from './queue-producer';
export * from './queue.module';
