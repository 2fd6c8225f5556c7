import { isRapportError, type RapportErrorCode, type RapportIssue } from '@rapport/core';

/**
 * One field problem in a problem document: Rapport's path plus the same place as a JSON Pointer
 * into the request body (RFC 6901), so generic clients can point at the field.
 *
 * @example
 * const issue: ProblemIssue = { path: ['amount'], pointer: '/amount', message: 'Too small', code: 'too_small' };
 */
export interface ProblemIssue extends RapportIssue {
  /** The field as a JSON Pointer: `/lineItems/2/quantity`. */
  readonly pointer: string;
}

/**
 * An RFC 9457 problem document as the API sends it, with Rapport's error code and field issues.
 *
 * @example
 * const problem: ProblemDocument = { type: 'https://rapport.dev/problems/not-found', title: 'Not found', status: 404, code: 'NOT_FOUND', detail: 'opportunity 42 not found', issues: [] };
 */
export interface ProblemDocument {
  /** A URI naming the kind of problem. */
  readonly type: string;
  /** A short summary of the kind of problem. */
  readonly title: string;
  /** The HTTP status. */
  readonly status: number;
  /** What went wrong this time, for a person. */
  readonly detail: string;
  /** The stable code: a {@link RapportErrorCode} or an HTTP-level one such as `PAYLOAD_TOO_LARGE`. */
  readonly code: string;
  /** Field problems; empty unless the input broke a rule. */
  readonly issues: readonly ProblemIssue[];
  /** The object involved, when there is one. */
  readonly object?: string;
  /** The record id involved, when there is one. */
  readonly id?: string;
}

/** Codes the HTTP layer adds to the engine's. */
export type HttpProblemCode =
  | RapportErrorCode
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'PRECONDITION_FAILED'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL';

const kinds: Record<HttpProblemCode, { readonly status: number; readonly title: string }> = {
  VALIDATION: { status: 422, title: 'The input broke a rule' },
  BAD_REQUEST: { status: 400, title: 'The request is malformed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  UNSUPPORTED: { status: 501, title: 'Not supported' },
  NOT_MIGRATED: { status: 503, title: 'The database is not migrated' },
  DESTROYED: { status: 503, title: 'The engine is closed' },
  UNAUTHORIZED: { status: 401, title: 'Credentials are missing or invalid' },
  PRECONDITION_FAILED: { status: 412, title: 'The record changed since it was read' },
  PRECONDITION_REQUIRED: { status: 428, title: 'The record version is required' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be JSON' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'The idempotency key was used with another request',
  },
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    title: 'A request with this idempotency key is still running',
  },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests; see Retry-After' },
  INTERNAL: { status: 500, title: 'Internal error' },
};

/** The media type of problem documents. */
export const problemMediaType = 'application/problem+json';

/**
 * The HTTP status of a problem code.
 *
 * @example
 * statusOf('VALIDATION'); // 422
 */
export function statusOf(code: HttpProblemCode): number {
  return kinds[code].status;
}

/** A JSON Pointer (RFC 6901) for a field path. */
function toPointer(path: readonly (string | number)[]): string {
  return path
    .map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

/**
 * Builds a problem document.
 *
 * @example
 * const problem = problemOf('NOT_FOUND', 'opportunity 42 not found');
 */
export function problemOf(
  code: HttpProblemCode,
  detail: string,
  extra: {
    readonly issues?: readonly RapportIssue[];
    readonly object?: string | undefined;
    readonly id?: string | undefined;
  } = {},
): ProblemDocument {
  const kind = kinds[code];
  return {
    type: `https://rapport.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: kind.title,
    status: kind.status,
    detail,
    code,
    issues: (extra.issues ?? []).map((issue) => ({ ...issue, pointer: toPointer(issue.path) })),
    ...(extra.object === undefined ? {} : { object: extra.object }),
    ...(extra.id === undefined ? {} : { id: extra.id }),
  };
}

/**
 * An error the HTTP layer throws for problems the engine does not know (401, 412, 413, ...).
 *
 * @example
 * throw new HttpProblem('PRECONDITION_FAILED', 'opportunity 42 is at version 3, not 2');
 */
export class HttpProblem extends Error {
  /** The problem code. */
  readonly code: HttpProblemCode;
  /** Field problems, for malformed input. */
  readonly issues: readonly RapportIssue[];

  constructor(code: HttpProblemCode, detail: string, issues: readonly RapportIssue[] = []) {
    super(detail);
    this.name = 'HttpProblem';
    this.code = code;
    this.issues = issues;
  }
}

/**
 * Turns anything thrown into a problem document: a RapportError keeps its code, issues, object
 * and id; an {@link HttpProblem} its code; anything else is a 500 whose detail says nothing about
 * the internals.
 *
 * @example
 * const problem = toProblem(new RapportError('CONFLICT', 'stale')); // status 409
 */
export function toProblem(error: unknown): ProblemDocument {
  if (isRapportError(error)) {
    return problemOf(error.code, error.message, {
      issues: error.issues,
      object: error.object,
      id: error.id,
    });
  }
  if (error instanceof HttpProblem) {
    return problemOf(error.code, error.message, { issues: error.issues });
  }
  return problemOf('INTERNAL', 'The server failed to handle the request.');
}

/**
 * A problem document as a response.
 *
 * @example
 * const response: Response = problemResponse(problemOf('UNAUTHORIZED', 'missing API key'));
 */
export function problemResponse(
  problem: ProblemDocument,
  headers: Readonly<Record<string, string>> = {},
): Response {
  const merged = new Headers(headers);
  merged.set('content-type', problemMediaType);
  return new Response(JSON.stringify(problem), { status: problem.status, headers: merged });
}
