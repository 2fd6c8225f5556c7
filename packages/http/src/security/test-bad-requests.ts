/**
 * @internal Fuzzed bad input over HTTP (issue 12, proof c): requests generated from the API's
 * own OpenAPI document, each wrong in one way (a missing or forged id, a filter value of the
 * wrong type, an unknown operator or field, a body of the wrong shape or a field of the wrong
 * type, a malformed header). Every one must get a 4xx problem with a known code, none a 500, and
 * the database must stay byte for byte the same.
 */
import fc from 'fast-check';
import { type BadRequest, badRequests } from './test-bad-request-generators.js';
import { databaseDump, fuzzFixture } from './test-fuzz-fixture.js';
import { fuzzRoutes } from './test-fuzz-routes.js';

/** A request whose answer broke the rule, with the answer. */
export interface Finding {
  readonly request: BadRequest;
  readonly status: number;
  readonly body: string;
}

/** Codes a problem document may carry (the engine's and the HTTP layer's). */
const knownCodes = new Set([
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNSUPPORTED',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'PRECONDITION_FAILED',
  'PRECONDITION_REQUIRED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'TOO_MANY_REQUESTS',
]);

/** Sends a request and returns a finding unless it got a 4xx problem with a known code. */
export async function sendBad(
  api: { request(path: string, init: RequestInit): Response | Promise<Response> },
  request: BadRequest,
): Promise<{ status: number; finding?: Finding }> {
  const response = await api.request(request.path, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await response.text();
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  const ok =
    response.status >= 400 &&
    response.status < 500 &&
    response.headers.get('content-type') === 'application/problem+json' &&
    typeof code === 'string' &&
    knownCodes.has(code);
  return ok
    ? { status: response.status }
    : {
        status: response.status,
        finding: { request, status: response.status, body: text.slice(0, 300) },
      };
}

/** Runs `count` generated bad requests; returns the statuses seen and every finding. */
export async function runBadRequests(count: number, seed?: number) {
  const fx = await fuzzFixture();
  const routes = fuzzRoutes(fx.document);
  const before = databaseDump(fx.storage.database);
  const requests = fc.sample(
    fc.oneof(
      { weight: 4, arbitrary: badRequests(routes, fx.ids, fx.key) },
      { weight: 1, arbitrary: badRequests(routes, fx.ids, fx.repKey) },
    ),
    { numRuns: count, ...(seed === undefined ? {} : { seed }) },
  );
  const statuses: Record<string, number> = {};
  const categories: Record<string, number> = {};
  const findings: Finding[] = [];
  const routesHit = new Set<string>();
  for (const request of requests) {
    const { status, finding } = await sendBad(fx.api, request);
    statuses[status] = (statuses[status] ?? 0) + 1;
    categories[request.category] = (categories[request.category] ?? 0) + 1;
    routesHit.add(`${request.method} ${request.path.split('?')[0]?.split('/')[1]}`);
    if (finding) findings.push(finding);
  }
  const after = databaseDump(fx.storage.database);
  await fx.crm.destroy();
  return {
    sent: requests.length,
    routes: routes.length,
    statuses,
    categories,
    findings,
    unchanged: before === after,
    routesHit: routesHit.size,
  };
}
