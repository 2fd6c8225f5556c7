/**
 * `@rapport/http`: the Rapport engine as a Hono app with REST routes, OpenAPI 3.1, API keys and
 * RFC 9457 problem documents.
 *
 * @packageDocumentation
 */
export type { AuditTrailReader } from './api/audit-routes.js';
export { createRapportApi, type RapportApiOptions } from './api/create-rapport-api.js';
export { type ApiKeyInfo, type ApiKeyStore, createApiKeyStore } from './auth/api-key-store.js';
export { httpPlugin } from './auth/http-plugin.js';
export { type ApiKeyScope, apiKeyScopes } from './auth/key-scopes.js';
export type { Authenticate, Principal } from './auth/principal.js';
export {
  type IdempotencyBegin,
  type IdempotencyStore,
  memoryIdempotencyStore,
  type SavedResponse,
} from './idempotency/idempotency-store.js';
export { ConcurrencyLimit } from './limits/concurrency-limit.js';
export { type RateDecision, RateLimiter, type RateLimitOptions } from './limits/rate-limit.js';
export type { OpenApiOptions } from './openapi/openapi-document.js';
export type {
  JsonSchema,
  OpenApiDocument,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiResponse,
} from './openapi/openapi-types.js';
export {
  HttpProblem,
  type HttpProblemCode,
  type ProblemDocument,
  type ProblemIssue,
  problemMediaType,
  problemOf,
  statusOf,
  toProblem,
} from './problems/problem-details.js';
export {
  type RapportServer,
  type RapportServerOptions,
  startRapportServer,
} from './server/rapport-server.js';
