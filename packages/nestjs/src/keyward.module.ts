import { DynamicModule, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { KEYWARD_OPTIONS } from './keyward.constants';
import { KeywardOptions } from './keyward-runtime';
import { KeywardGuard } from './keyward.guard';
import { KeywardService } from './keyward.service';
import { KeywardStrategy } from './keyward.strategy';
import { KeywardProblemFilter } from './problem.filter';

export type KeywardModuleOptions = KeywardOptions;

export interface KeywardModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: any[];
  useFactory: (...args: any[]) => KeywardModuleOptions | Promise<KeywardModuleOptions>;
}

const PROVIDERS: Provider[] = [KeywardService, KeywardStrategy, KeywardGuard, { provide: APP_FILTER, useClass: KeywardProblemFilter }];
const EXPORTS = [KeywardService, KeywardStrategy, KeywardGuard, KEYWARD_OPTIONS];

/**
 * `KeywardModule.forRoot({ url, apiKey })` (a `keys:verify` key of the company) once in the
 * application; then `@UseGuards(KeywardGuard)` (or `APP_GUARD`) with `@RequirePermissions()`.
 */
@Module({})
export class KeywardModule {
  static forRoot(options: KeywardModuleOptions): DynamicModule {
    return {
      module: KeywardModule,
      global: true,
      providers: [{ provide: KEYWARD_OPTIONS, useValue: options }, ...PROVIDERS],
      exports: EXPORTS,
    };
  }

  static forRootAsync(options: KeywardModuleAsyncOptions): DynamicModule {
    return {
      module: KeywardModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: KEYWARD_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }, ...PROVIDERS],
      exports: EXPORTS,
    };
  }
}
