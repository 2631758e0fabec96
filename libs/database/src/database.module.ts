import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { dataSourceOptions } from './data-source';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => dataSourceOptions(config.databaseUrl),
    }),
  ],
  exports: [TypeOrmModule],
})
export class DatabaseModule {}
