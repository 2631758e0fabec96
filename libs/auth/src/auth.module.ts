import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { AuthCache } from './auth-cache';
import { AUTH_CACHE_PARTICIPANT, CacheCoherenceService } from './cache-coherence.service';
import { KeyLookupService } from './key-lookup.service';
import { AuthPipeline } from './pipeline/auth-pipeline';
import { AuthenticationStep } from './pipeline/authentication.step';
import { KEY_STRATEGIES } from './pipeline/key-strategies';
import { PermissionStep } from './pipeline/permission.step';
import { RateLimitStep } from './pipeline/rate-limit.step';
import { AuthFailureThrottle, KeyRateLimiter } from './rate-limits';
import { VerifierLeases } from './verifier-leases.service';

@Module({})
export class AuthModule {
  /**
   * The API: the key strategies (passport strategies, one per key header), the pipeline (authentication, rate
   * limit, permissions) behind the global guard and the routes outside it, a cache kept coherent
   * with every other instance.
   */
  static forApi(): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        AuthCache,
        { provide: AUTH_CACHE_PARTICIPANT, useValue: true },
        CacheCoherenceService,
        KeyLookupService,
        ...KEY_STRATEGIES,
        KeyRateLimiter,
        AuthFailureThrottle,
        AuthenticationStep,
        RateLimitStep,
        PermissionStep,
        AuthPipeline,
        VerifierLeases,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [CacheCoherenceService, KeyLookupService, AuthCache, KeyRateLimiter, VerifierLeases, AuthPipeline],
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
