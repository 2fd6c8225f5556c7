import { isUtf8 } from 'node:buffer';
import type { CrmScope, RapportIssue } from '@rapport/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { Principal } from '../auth/principal.js';
import { HttpProblem } from '../problems/problem-details.js';

/** @internal The Hono environment of the API: who asks, and the scope they act in. */
export interface ApiEnv {
  Variables: {
    principal: Principal;
    scope: CrmScope;
  };
}

/** @internal A record as the API moves it: an id, a version and fields. */
export type ApiRecord = { readonly id: string; readonly version: number } & Readonly<
  Record<string, unknown>
>;

/**
 * @internal Reads the body as a JSON object: 415 unless it is JSON, 400 when it does not parse or
 * is not an object. An empty body is an empty object.
 */
export async function readJsonObject(c: Context<ApiEnv>): Promise<Record<string, unknown>> {
  const text = await readBodyText(c);
  if (text.trim() === '') return {};
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpProblem(
      'UNSUPPORTED_MEDIA_TYPE',
      `expected application/json, got ${type || 'nothing'}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(
      'BAD_REQUEST',
      `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpProblem('BAD_REQUEST', 'the body must be a JSON object');
  }
  // Cast: checked just above to be a non-null, non-array object.
  return value as Record<string, unknown>;
}

// fatal: a byte that is not UTF-8 throws instead of becoming U+FFFD; a BOM is dropped.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * @internal The body as text, 400 with code `invalid_utf8` when it is not UTF-8 (RFC 8259 8.1:
 * JSON is UTF-8), instead of storing U+FFFD where the client sent something else. The bytes are
 * read once (Hono caches them), so the idempotency fingerprint sees the same ones.
 */
export async function readBodyText(c: Context<ApiEnv>): Promise<string> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  try {
    return utf8.decode(bytes);
  } catch {
    const issue: RapportIssue = {
      path: [],
      message: 'the body is not UTF-8',
      code: 'invalid_utf8',
    };
    throw new HttpProblem('BAD_REQUEST', 'the body must be UTF-8 encoded JSON', [issue]);
  }
}

/**
 * @internal 400 `invalid_utf8` for a query string whose percent-encoded bytes are not UTF-8
 * (`?name=%E9`): URLSearchParams would read them as U+FFFD and filter for that. A `%` that
 * starts no escape is left to the route, as before.
 */
export const utf8QueryMiddleware: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const query = c.req.url.slice(c.req.url.indexOf('?') + 1 || c.req.url.length);
  for (const run of query.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? []) {
    if (!isUtf8(Buffer.from(run.replaceAll('%', ''), 'hex'))) {
      throw new HttpProblem('BAD_REQUEST', 'the query string must be UTF-8 percent-encoded', [
        { path: [], message: `${run} is not UTF-8`, code: 'invalid_utf8' },
      ]);
    }
  }
  await next();
};

/** @internal The ETag of a record: its version, as a strong validator. */
export function etagOf(record: ApiRecord): string {
  return `"${record.version}"`;
}

/** @internal The version in an `If-Match` header (`"3"`, `W/"3"` or `3`), or undefined. */
export function ifMatchVersion(c: Context<ApiEnv>): number | undefined {
  const header = c.req.header('if-match');
  if (header === undefined) return undefined;
  const match = header.trim().match(/^(?:W\/)?"?(\d+)"?$/);
  if (!match) {
    const issue: RapportIssue = {
      path: ['If-Match'],
      message: 'must be the record version as returned in ETag, e.g. "3"',
      code: 'invalid_header',
    };
    throw new HttpProblem('BAD_REQUEST', 'If-Match must be a record version', [issue]);
  }
  return Number(match[1]);
}

/**
 * @internal The version an update must carry: from If-Match or the body's `version`; 428 when
 * neither is given, 400 when they disagree.
 */
export function requiredVersion(
  c: Context<ApiEnv>,
  body: Record<string, unknown>,
): {
  readonly version: number;
  readonly fromHeader: boolean;
} {
  const header = ifMatchVersion(c);
  const inBody = body.version;
  if (header !== undefined) {
    if (inBody !== undefined && inBody !== header) {
      throw new HttpProblem(
        'BAD_REQUEST',
        `If-Match ${header} and body version ${String(inBody)} differ`,
      );
    }
    return { version: header, fromHeader: true };
  }
  if (typeof inBody === 'number') return { version: inBody, fromHeader: false };
  if (inBody !== undefined) {
    throw new HttpProblem('BAD_REQUEST', 'version must be a number', [
      { path: ['version'], message: 'must be a number', code: 'invalid_type' },
    ]);
  }
  throw new HttpProblem(
    'PRECONDITION_REQUIRED',
    'send the version you read as If-Match (or as version in the body)',
  );
}

/** @internal 412 when the stored version is not the one from If-Match. */
export function checkPrecondition(record: ApiRecord, version: number, objectName: string): void {
  if (record.version !== version) {
    throw new HttpProblem(
      'PRECONDITION_FAILED',
      `${objectName} ${record.id} is at version ${record.version}, not ${version}`,
    );
  }
}
