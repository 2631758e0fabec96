import { DynamicModule, Global, Module } from '@nestjs/common';
import { KeywardConfig, loadConfig } from './config.schema';

/** Injection token of the validated configuration. */
export const KEYWARD_CONFIG = Symbol('KEYWARD_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /** Uses the given configuration (tests) or validates process.env once. */
  static forRoot(config?: KeywardConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: KEYWARD_CONFIG, useValue: config ?? loadConfig() }],
      exports: [KEYWARD_CONFIG],
    };
  }
}
