import { recordIdPattern } from '@rapport/core';
import type { Context, Hono } from 'hono';
import type { JsonSchema, OpenApiOperation } from '../openapi/openapi-types.js';
import { HttpProblem } from '../problems/problem-details.js';
import type { ApiEnv } from './api-env.js';

/** An HTTP method the API uses. */
export type ApiMethod = 'get' | 'post' | 'patch' | 'delete';

/**
 * @internal One registered route and its OpenAPI operation. Routes are only added through
 * {@link RouteTable.add}, so the document lists exactly what the app serves.
 */
export interface ApiRoute {
  readonly method: ApiMethod;
  /** The path in Hono's syntax: `/opportunities/:id`. */
  readonly path: string;
  readonly operation: OpenApiOperation;
}

/** @internal Registers routes on the app and remembers them for the OpenAPI document. */
export class RouteTable {
  readonly routes: ApiRoute[] = [];
  /** Schemas the operations refer to, by component name. */
  readonly schemas = new Map<string, JsonSchema>();

  constructor(private readonly app: Hono<ApiEnv>) {}

  add(
    method: ApiMethod,
    path: string,
    operation: OpenApiOperation,
    handler: (c: Context<ApiEnv>) => Promise<Response> | Response,
  ): void {
    this.routes.push({ method, path, operation });
    this.app.on(method.toUpperCase(), path, path.includes('/:id') ? checkedId(handler) : handler);
  }

  schema(name: string, schema: JsonSchema): void {
    this.schemas.set(name, schema);
  }
}

/**
 * A handler that first refuses an `{id}` outside core's id pattern (400, issue code
 * `invalid_id`), before anything is read: the same rule the OpenAPI document declares.
 */
function checkedId(
  handler: (c: Context<ApiEnv>) => Promise<Response> | Response,
): (c: Context<ApiEnv>) => Promise<Response> | Response {
  return (c) => {
    const id = c.req.param('id') ?? '';
    if (!recordIdPattern.test(id)) {
      throw new HttpProblem('BAD_REQUEST', 'the id in the path is not a record id', [
        {
          path: ['id'],
          message: 'must be 1-64 characters of A-Z, a-z, 0-9, _ . : -',
          code: 'invalid_id',
        },
      ]);
    }
    return handler(c);
  };
}

/**
 * @internal A Hono path as an OpenAPI path template.
 *
 * @example
 * openApiPath('/opportunities/:id/close-won'); // '/opportunities/{id}/close-won'
 */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, '{$1}');
}
