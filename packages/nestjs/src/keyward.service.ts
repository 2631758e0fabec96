import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { KEYWARD_OPTIONS } from './keyward.constants';
import { KeywardOptions, KeywardRuntime } from './keyward-runtime';

/**
 * The module's runtime with Nest's lifecycle: the verifier stream opens at start-up; at shutdown
 * (`app.close()`, or a signal with `app.enableShutdownHooks()`) — after the HTTP server stopped
 * taking requests — the stream closes and every usage record left is sent.
 */
@Injectable()
export class KeywardService extends KeywardRuntime implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(KEYWARD_OPTIONS) options: KeywardOptions) {
    const logger = new Logger('Keyward');
    super({ logger: { warn: (m) => logger.warn(m), log: (m) => logger.log(m) }, ...options });
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
