// Owns authentication (API keys, signed requests), per-route access and per-key rate limits. The
// checks run as Fastify hooks that app.factory.ts installs, before any body is read.
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuthHooks } from './auth.hooks';
import { RateLimitMetrics } from './rate-limit.metrics';
import { RateLimits } from './rate-limits';
import { RouteAccess } from './route-access';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [RouteAccess, RateLimits, RateLimitMetrics, AuthHooks],
  exports: [RateLimits, AuthHooks],
})
export class AuthModule {}
