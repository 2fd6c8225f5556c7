import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './api-types.js';
import { retryingAfter429 } from './retry-after.js';

/** The schemas of the Rapport API, generated from its OpenAPI document. */
export type ApiSchemas = components['schemas'];
/** An opportunity as the API returns it. */
export type Opportunity = ApiSchemas['Opportunity'];
/** A lead as the API returns it. */
export type Lead = ApiSchemas['Lead'];
/** A pipeline with its stages. */
export type Pipeline = ApiSchemas['Pipeline'];
/** A user (rep or manager). */
export type User = ApiSchemas['User'];
/** An activity: call, meeting, email or task. */
export type Activity = ApiSchemas['Activity'];
/** A lead's stored score with its reasons (the predict plugin). */
export type LeadScore = ApiSchemas['LeadScore'];
/** The forecast of a rep, team or the total: won so far, P10/P50/P90, quota and its chance. */
export type ForecastFigures = ApiSchemas['ForecastFigures'];
/** An open deal with its learned win probability, reasons and plan risks. */
export type PredictDeal = ApiSchemas['PredictDeal'];
/** An RFC 9457 problem with field issues. */
export type Problem = ApiSchemas['Problem'];

/** The typed client of the Rapport API (openapi-fetch over the generated paths). */
export type WorkspaceClient = Client<paths>;

/**
 * A failed API call: the server's problem (status, code, field issues), or status 0 and code
 * `NETWORK` when the server could not be reached.
 */
export class ApiProblem extends Error {
  /** HTTP status; 0 when no answer came. */
  readonly status: number;
  /** The problem code: VALIDATION, CONFLICT, PRECONDITION_FAILED, NETWORK, ... */
  readonly code: string;
  /** Field issues of a VALIDATION problem. */
  readonly issues: Problem['issues'];

  constructor(status: number, code: string, detail: string, issues: Problem['issues'] = []) {
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }

  /** The issue on a field (its first path segment), if any. */
  fieldIssue(field: string): Problem['issues'][number] | undefined {
    return this.issues.find((issue) => String(issue.path[0]) === field);
  }

  /** Whether the record changed since it was read (409 or 412). */
  get isConflict(): boolean {
    return this.status === 409 || this.status === 412;
  }
}

/** Options of {@link createWorkspaceClient}. */
export interface WorkspaceClientOptions {
  /** Where the API is mounted: `/api` or `https://crm.example.com/api`. */
  readonly baseUrl: string;
  /** An API key; sent as `Authorization: Bearer <key>`. */
  readonly apiKey: string;
  /** A fetch to use instead of the global one (a 429 is still tried again after Retry-After). */
  readonly fetch?: typeof fetch;
}

/**
 * The typed API client every component uses: paths, parameters and bodies are checked against
 * the server's OpenAPI document.
 *
 * @example
 * const client = createWorkspaceClient({ baseUrl: '/api', apiKey: 'rpk_...' });
 * const page = await call(client.GET('/opportunities', { params: { query: { limit: 10 } } }));
 */
export function createWorkspaceClient(options: WorkspaceClientOptions): WorkspaceClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    // A 429 (the key's KPI evaluations at their bound) waits out Retry-After instead of
    // showing the view as failed.
    fetch: retryingAfter429(options.fetch),
  });
}

/**
 * The data of an API call, or an {@link ApiProblem}: the problem the server sent, or `NETWORK`
 * when the request did not reach it.
 *
 * @example
 * const deal = await call(client.GET('/opportunities/{id}', { params: { path: { id } } }));
 */
export async function call<TData>(
  request: Promise<{ data?: TData; error?: unknown; response: Response }>,
): Promise<TData> {
  let result: { data?: TData; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (error) {
    throw new ApiProblem(0, 'NETWORK', error instanceof Error ? error.message : String(error));
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  // Cast: a 204 (a delete) has no body; its generated data type is never/undefined already.
  if (result.response.status === 204) return result.data as TData;
  const problem = result.error as Partial<Problem> | undefined;
  throw new ApiProblem(
    result.response.status,
    problem?.code ?? `HTTP_${result.response.status}`,
    problem?.detail ?? result.response.statusText,
    problem?.issues ?? [],
  );
}

/**
 * Every page of a list route, following `nextCursor`, up to `max` records.
 *
 * @example
 * const users = await allPages((cursor) => client.GET('/users', { params: { query: { limit: 500, cursor } } }));
 */
export async function allPages<TItem>(
  page: (cursor: string | undefined) => Promise<{
    data?: { items: TItem[]; nextCursor: string | null };
    error?: unknown;
    response: Response;
  }>,
  max = 5000,
): Promise<TItem[]> {
  const items: TItem[] = [];
  let cursor: string | undefined;
  do {
    const result = await call(page(cursor));
    items.push(...result.items);
    cursor = result.nextCursor ?? undefined;
  } while (cursor !== undefined && items.length < max);
  return items;
}

/**
 * The data of a prediction route, or null when the server has no predictions (the predict
 * plugin is not installed: 404), so a view shows what it has without them.
 *
 * @example
 * const forecast = await withoutPredictions(client.GET('/predict/forecast', {}));
 */
export async function withoutPredictions<TData>(
  request: Promise<{ data?: TData; error?: unknown; response: Response }>,
): Promise<TData | null> {
  try {
    return await call(request);
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return null;
    throw error;
  }
}

/** The `If-Match` header for a record version. */
export function ifMatch(version: number): { 'If-Match': string } {
  return { 'If-Match': `"${version}"` };
}
