import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { QueueName } from './queue.names';
import { QueueProducer } from './queue-producer';

const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => ({
        connection: { url: config.redisUrl, maxRetriesPerRequest: null },
        prefix: `${config.redisPrefix}:bull`,
      }),
    }),
    ...queues,
  ],
  providers: [QueueProducer],
  exports: [QueueProducer, ...queues],
})
export class QueueModule {}
