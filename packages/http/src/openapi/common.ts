import { recordIdPattern } from '@rapport/core';
import { problemMediaType } from '../problems/problem-details.js';
import type { JsonSchema, OpenApiParameter, OpenApiResponse } from './openapi-types.js';

/** @internal A reference to a schema in `components.schemas`. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** @internal A JSON body or response with a schema. */
export function json(schema: JsonSchema) {
  return { 'application/json': { schema } };
}

const problemDescriptions: Readonly<Record<number, string>> = {
  400: 'Malformed request (bad JSON, parameter or header)',
  401: 'Missing or invalid credentials',
  403: "Outside the actor's rights",
  404: 'No such record in this tenant, or not visible to the actor',
  409: 'Conflict: stale version in the body, unique key taken, record referenced, or idempotency key in use',
  412: 'If-Match names a version that is no longer stored; nothing was changed',
  413: 'Request body over the size limit',
  415: 'Request body is not JSON',
  422: 'The input broke a rule (field paths in issues), or an idempotency key was reused with another body',
  428: 'The update needs the version that was read (If-Match)',
};

/** @internal Problem responses for the given statuses (401 is on every route). */
export function problems(...statuses: number[]): Record<string, OpenApiResponse> {
  const responses: Record<string, OpenApiResponse> = {};
  for (const status of [401, ...statuses]) {
    responses[String(status)] = {
      description: problemDescriptions[status] ?? 'Problem',
      content: { [problemMediaType]: { schema: ref('Problem') } },
    };
  }
  return responses;
}

/** @internal The `{id}` path parameter. */
export const idParameter: OpenApiParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description:
    'The record id: 1-64 of A-Z, a-z, 0-9, _ . : - (anything else is 400 with issue code invalid_id, before any read).',
  schema: { type: 'string', minLength: 1, maxLength: 64, pattern: recordIdPattern.source },
};

/** @internal The If-Match header of updates. */
export const ifMatchParameter: OpenApiParameter = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'The version that was read (the ETag of the record). A different stored version answers 412 and changes nothing. Required unless the body carries version.',
  schema: { type: 'string', examples: ['"3"'] },
};

/** @internal The Idempotency-Key header of POSTs. */
export const idempotencyKeyParameter: OpenApiParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'A unique key per intended write. A retry with the same key and body gets the first response again (Idempotent-Replayed: true) without a second write; the same key with another body answers 422.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

/** @internal The ETag response header. */
export const etagHeader = {
  ETag: { description: 'The record version, for If-Match.', schema: { type: 'string' } },
} as const;

/** @internal The problem document schema (RFC 9457 with Rapport's code and issues). */
export const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'issues'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: {
      type: 'string',
      description:
        'VALIDATION, NOT_FOUND, CONFLICT, FORBIDDEN, UNSUPPORTED, or an HTTP-level code (UNAUTHORIZED, PRECONDITION_FAILED, PAYLOAD_TOO_LARGE, ...).',
    },
    object: { type: 'string' },
    id: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'pointer', 'message', 'code'],
        properties: {
          path: { type: 'array', items: { type: ['string', 'integer'] } },
          pointer: { type: 'string', description: 'The field as a JSON Pointer (RFC 6901).' },
          message: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
};
