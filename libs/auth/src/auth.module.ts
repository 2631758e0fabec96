import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyStrategies } from './api-key.strategies';
import { AuthCache } from './auth-cache';
import { AUTH_CACHE_PARTICIPANT, CacheCoherenceService } from './cache-coherence.service';
import { KeyLookupService } from './key-lookup.service';
import { AuthFailureThrottle, KeyRateLimiter } from './rate-limits';
import { VerifierLeases } from './verifier-leases.service';

@Module({})
export class AuthModule {
  /** The API: strategies, the global guard, a cache kept coherent with every other instance. */
  static forApi(): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [PassportModule.register({ session: false })],
      providers: [
        AuthCache,
        { provide: AUTH_CACHE_PARTICIPANT, useValue: true },
        CacheCoherenceService,
        KeyLookupService,
        ApiKeyStrategies,
        KeyRateLimiter,
        AuthFailureThrottle,
        VerifierLeases,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [CacheCoherenceService, KeyLookupService, AuthCache, KeyRateLimiter, VerifierLeases],
    };
  }

  /** Processes without a cache of their own (CLI) that still invalidate the API instances' caches. */
  static forInvalidation(): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [AuthCache, { provide: AUTH_CACHE_PARTICIPANT, useValue: false }, CacheCoherenceService],
      exports: [CacheCoherenceService],
    };
  }
}
