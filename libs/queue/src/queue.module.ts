import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { QueueName } from './queue.names';
import { QueueProducer } from './queue-producer';
import { bullPrefix } from './redis';
import { BULL_CONNECTION, BullConnectionModule } from './redis.module';

const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

@Module({
  imports: [
    // every queue (any QueueName) on REDIS_URL or REDIS_CLUSTER_NODES, its keys inside Keyward's hash tag on a Cluster
    BullModule.forRootAsync({
      imports: [BullConnectionModule],
      inject: [KEYWARD_CONFIG, BULL_CONNECTION],
      useFactory: (config: KeywardConfig, connection: ConnectionOptions) => ({ connection, prefix: bullPrefix(config) }),
    }),
    ...queues,
  ],
  providers: [QueueProducer],
  exports: [QueueProducer, ...queues],
})
export class QueueModule {}
