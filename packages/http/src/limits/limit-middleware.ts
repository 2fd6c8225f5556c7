import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../api/api-env.js';
import type { Principal } from '../auth/principal.js';
import { problemOf, problemResponse } from '../problems/problem-details.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import type { RateLimiter } from './rate-limit.js';

/** @internal What the limits count against: the key, or the tenant and actor. */
export function limitKeyOf(principal: Principal): string {
  return principal.credentialId ?? JSON.stringify([principal.tenantId, principal.actor.id]);
}

/** @internal 429 with Retry-After once a key has used its tokens. Runs after authentication. */
export function rateLimitMiddleware(limiter: RateLimiter): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const decision = limiter.take(limitKeyOf(c.var.principal));
    if (!decision.allowed) {
      return problemResponse(
        problemOf(
          'TOO_MANY_REQUESTS',
          `too many requests with this key; retry in ${decision.retryAfterSeconds} s`,
        ),
        { 'Retry-After': String(decision.retryAfterSeconds) },
      );
    }
    await next();
  };
}

/**
 * @internal 429 for a KPI evaluation while the same key already runs `limit.max` of them; the
 * slot is given back however the evaluation ends, and as soon as the client closes the
 * connection: an abandoned evaluation (a reloaded dashboard) no longer counts against the key.
 */
export function kpiConcurrencyMiddleware(limit: ConcurrencyLimit): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!/\/kpis\/evaluate$/.test(c.req.path)) return next();
    const release = limit.tryAcquire(limitKeyOf(c.var.principal));
    if (!release) {
      return problemResponse(
        problemOf(
          'TOO_MANY_REQUESTS',
          `this key already runs ${limit.max} KPI evaluations; retry when one has finished`,
        ),
        { 'Retry-After': '1' },
      );
    }
    const signal = c.req.raw.signal;
    signal.addEventListener('abort', release, { once: true });
    try {
      await next();
    } finally {
      signal.removeEventListener('abort', release);
      release();
    }
  };
}
