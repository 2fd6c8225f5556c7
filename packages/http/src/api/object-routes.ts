import { type AnyObjectDefinition, type CrmScope, publicFieldsOf } from '@rapport/core';
import type { Context } from 'hono';
import type { z } from 'zod';
import {
  etagHeader,
  idempotencyKeyParameter,
  idParameter,
  ifMatchParameter,
  json,
  problems,
  ref,
} from '../openapi/common.js';
import type { OpenApiParameter } from '../openapi/openapi-types.js';
import {
  type ApiEnv,
  type ApiRecord,
  checkPrecondition,
  etagOf,
  ifMatchVersion,
  readJsonObject,
  requiredVersion,
} from './api-env.js';
import type { Collection } from './collections.js';
import { fieldKind, parseListQuery, type RecordListQuery } from './list-query.js';
import type { RouteTable } from './route-table.js';

/** @internal The repository of any object, erased to what the routes need. */
export interface RecordRepository {
  get(id: string): Promise<ApiRecord>;
  list(query: RecordListQuery): Promise<{ items: ApiRecord[]; nextCursor: string | null }>;
  create(input: unknown): Promise<ApiRecord>;
  update(id: string, patch: unknown): Promise<ApiRecord>;
  delete(id: string, options?: { readonly version?: number }): Promise<void>;
}

/** @internal The repository of a collection in a scope. */
export function repositoryOf(scope: CrmScope, collection: Collection): RecordRepository {
  // The scope types each repository by object name; these routes serve every object through one
  // code path and let the engine validate bodies, so the typed repository is viewed erased here.
  return scope[collection.repository] as unknown as RecordRepository;
}

function filterParameters(
  definition: AnyObjectDefinition,
  custom: z.ZodObject,
): OpenApiParameter[] {
  const kinds = [
    ['id', 'string'],
    ['externalId', 'string'],
    ['version', 'number'],
    ['createdAt', 'string'],
    ['updatedAt', 'string'],
    // Hidden fields cannot be filtered (the engine refuses them as unknown): not documented.
    ...Object.entries(publicFieldsOf(definition).shape).map(
      // Cast: Object.entries of a zod shape types its values as unknown.
      ([field, schema]) => [field, fieldKind(schema as z.ZodType)] as const,
    ),
    ...Object.entries(custom.shape).map(
      // Cast: Object.entries of a zod shape types its values as unknown.
      ([field, schema]) => [`custom.${field}`, fieldKind(schema as z.ZodType)] as const,
    ),
  ] as const;
  return kinds.map(([name, kind]) => ({
    name,
    in: 'query',
    required: false,
    description: `Equal to this value; operators as ${name}[gte]=..., ${name}[in]=a,b, ${name}[isNull]=true.`,
    schema: { type: kind },
  }));
}

/** @internal Registers list, get, create, update and delete of one collection. */
export function addObjectRoutes(
  table: RouteTable,
  collection: Collection,
  definition: AnyObjectDefinition,
  custom: z.ZodObject,
): void {
  const base = `/${collection.path}`;
  const item = `${base}/:id`;
  const name = collection.schemaName;
  const tags = [collection.path];
  const repository = (c: Context<ApiEnv>) => repositoryOf(c.var.scope, collection);

  table.add(
    'get',
    base,
    {
      operationId: `list${name}`,
      summary: `List ${collection.path}`,
      description:
        'Records the actor may see, filtered by any field (field=value or field[operator]=value with eq, ne, in, notIn, gt, gte, lt, lte, isNull, startsWith), sorted by one field (sort=amount or sort=-amount) and paged by cursor.',
      tags,
      parameters: [
        {
          name: 'limit',
          in: 'query',
          description: 'Page size, 1 to 1000 (default 50).',
          schema: { type: 'integer', minimum: 1, maximum: 1000 },
        },
        {
          name: 'cursor',
          in: 'query',
          description: 'The nextCursor of the previous page.',
          schema: { type: 'string' },
        },
        {
          name: 'sort',
          in: 'query',
          description: 'A field name; a leading - sorts descending.',
          schema: { type: 'string' },
        },
        ...filterParameters(definition, custom),
      ],
      responses: {
        '200': { description: 'A page of records.', content: json(ref(`${name}Page`)) },
        ...problems(400, 422),
      },
    },
    async (c) => {
      const query = parseListQuery(new URL(c.req.url).searchParams, definition, custom);
      return c.json(await repository(c).list(query));
    },
  );

  table.add(
    'get',
    item,
    {
      operationId: `get${name}`,
      summary: `Get one ${definition.name}`,
      tags,
      parameters: [idParameter],
      responses: {
        '200': { description: 'The record.', headers: etagHeader, content: json(ref(name)) },
        ...problems(400, 404),
      },
    },
    async (c) => {
      const record = await repository(c).get(c.req.param('id') ?? '');
      return c.json(record, 200, { ETag: etagOf(record) });
    },
  );

  if (!collection.writable) return;

  table.add(
    'post',
    base,
    {
      operationId: `create${name}`,
      summary: `Create a ${definition.name}`,
      tags,
      parameters: [idempotencyKeyParameter],
      requestBody: { required: true, content: json(ref(`${name}Create`)) },
      responses: {
        '201': {
          description: 'The created record.',
          headers: {
            ...etagHeader,
            Location: { description: 'The URL of the record.', schema: { type: 'string' } },
          },
          content: json(ref(name)),
        },
        ...problems(400, 403, 409, 413, 415, 422),
      },
    },
    async (c) => {
      const record = await repository(c).create(await readJsonObject(c));
      const location = `${c.req.path.replace(/\/$/, '')}/${encodeURIComponent(record.id)}`;
      return c.json(record, 201, { ETag: etagOf(record), Location: location });
    },
  );

  table.add(
    'patch',
    item,
    {
      operationId: `update${name}`,
      summary: `Update a ${definition.name}`,
      description:
        'Changes the given fields. The version that was read goes in If-Match (412 when stale) or in the body (409 when stale).',
      tags,
      parameters: [idParameter, ifMatchParameter],
      requestBody: { required: true, content: json(ref(`${name}Update`)) },
      responses: {
        '200': {
          description: 'The updated record.',
          headers: etagHeader,
          content: json(ref(name)),
        },
        ...problems(400, 403, 404, 409, 412, 413, 415, 422, 428),
      },
    },
    async (c) => {
      const id = c.req.param('id') ?? '';
      const body = await readJsonObject(c);
      const { version, fromHeader } = requiredVersion(c, body);
      const record = await c.var.scope.transaction(async (tx) => {
        const repo = repositoryOf(tx, collection);
        if (fromHeader) checkPrecondition(await repo.get(id), version, definition.name);
        return repo.update(id, { ...body, version });
      });
      return c.json(record, 200, { ETag: etagOf(record) });
    },
  );

  table.add(
    'delete',
    item,
    {
      operationId: `delete${name}`,
      summary: `Delete a ${definition.name}`,
      description: 'With If-Match, only if the stored version is that one (else 412).',
      tags,
      parameters: [idParameter, ifMatchParameter],
      responses: {
        '204': { description: 'Deleted.' },
        ...problems(400, 403, 404, 409, 412),
      },
    },
    async (c) => {
      const id = c.req.param('id') ?? '';
      const version = ifMatchVersion(c);
      await c.var.scope.transaction(async (tx) => {
        const repo = repositoryOf(tx, collection);
        if (version !== undefined) checkPrecondition(await repo.get(id), version, definition.name);
        await repo.delete(id, version === undefined ? {} : { version });
      });
      return c.body(null, 204);
    },
  );
}
