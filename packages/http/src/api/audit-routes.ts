import { type CrmScope, type ObjectName, RapportError } from '@rapport/core';
import { idParameter, json, problems, ref } from '../openapi/common.js';
import type { JsonSchema } from '../openapi/openapi-types.js';
import type { Collection } from './collections.js';
import { repositoryOf } from './object-routes.js';
import type { RouteTable } from './route-table.js';

/**
 * What the audit routes read the trail through: the audit plugin's runtime API
 * (`crm.plugin('audit')` of `@rapport/audit`), or anything with the same `list`.
 *
 * @example
 * createRapportApi({ crm, authenticate, audit: crm.plugin('audit') });
 */
export interface AuditTrailReader {
  /** A page of the entries the scope may see, newest first (see `@rapport/audit`). */
  list(
    access: CrmScope,
    query: {
      readonly object?: ObjectName;
      readonly recordId?: string;
      readonly limit?: number;
      readonly cursor?: string;
    },
  ): Promise<{ readonly items: readonly unknown[]; readonly nextCursor: string | null }>;
}

/** @internal Whether a plugin API is an audit trail reader. */
function isAuditReader(value: unknown): value is AuditTrailReader {
  return (
    typeof value === 'object' &&
    value !== null &&
    'list' in value &&
    typeof value.list === 'function'
  );
}

/**
 * @internal The audit reader of an engine that runs the audit plugin, or undefined: the API
 * serves the audit routes exactly when the trail exists.
 */
export function auditReaderOf(crm: object): AuditTrailReader | undefined {
  if (!('plugins' in crm) || !Array.isArray(crm.plugins)) return undefined;
  const runs = crm.plugins.some(
    (plugin: unknown) =>
      typeof plugin === 'object' && plugin !== null && 'id' in plugin && plugin.id === 'audit',
  );
  if (!runs || !('plugin' in crm) || typeof crm.plugin !== 'function') return undefined;
  const api: unknown = crm.plugin('audit');
  return isAuditReader(api) ? api : undefined;
}

const auditEntrySchema: JsonSchema = {
  type: 'object',
  required: ['id', 'object', 'recordId', 'action', 'actorId', 'actorRole', 'at', 'changes'],
  properties: {
    id: { type: 'string', description: 'UUID v7: entries sort by when they were written.' },
    tenantId: { type: 'string' },
    object: { type: 'string', description: 'The object name: lead, opportunity, ...' },
    recordId: { type: 'string' },
    action: { enum: ['create', 'update', 'delete', 'erase'] },
    actorId: { type: 'string', description: 'The user who wrote, or system.' },
    actorRole: { type: 'string', description: "The actor's role at the time of the write." },
    at: { type: 'string', format: 'date-time' },
    changes: {
      type: 'array',
      description: 'The changed fields with their old and new values (custom fields as custom.x).',
      items: {
        type: 'object',
        required: ['field', 'old', 'new'],
        properties: { field: { type: 'string' }, old: {}, new: {} },
      },
    },
    source: { type: 'string', description: 'Where the write came from (api, cli, import).' },
  },
};

/** The page size of a query string: absent, or a whole number the reader checks (1 to 1000). */
function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(limit)) {
    throw new RapportError('VALIDATION', 'audit: limit must be a whole number', {
      object: 'audit',
      issues: [{ path: ['limit'], message: 'must be a whole number 1 to 1000', code: 'invalid' }],
    });
  }
  return limit;
}

/**
 * @internal Registers `GET /{collection}/{id}/audit` for every collection: the audit trail of one
 * record, newest first. Admins read every record's trail (deleted records too); anyone else the
 * trail of a record they can read now, and a record they cannot read is 404 like a missing one.
 */
export function addAuditRoutes(
  table: RouteTable,
  collections: readonly Collection[],
  reader: AuditTrailReader,
): void {
  table.schema('AuditEntry', auditEntrySchema);
  table.schema('AuditPage', {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: ref('AuditEntry') },
      nextCursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page.' },
    },
  });
  for (const collection of collections) {
    table.add(
      'get',
      `/${collection.path}/:id/audit`,
      {
        operationId: `audit${collection.schemaName}`,
        summary: `The audit trail of one ${collection.object}`,
        description:
          'Who changed the record, when, which fields, old and new values, newest first. Admins read any record (deleted ones too); others the records they can read.',
        tags: [collection.path, 'audit'],
        parameters: [
          idParameter,
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
        ],
        responses: {
          '200': { description: 'A page of audit entries.', content: json(ref('AuditPage')) },
          ...problems(400, 404),
        },
      },
      async (c) => {
        const scope = c.var.scope;
        const id = c.req.param('id') ?? '';
        // Not readable is NOT_FOUND, exactly as missing: the trail is no existence oracle.
        if (scope.actor.role !== 'admin') await repositoryOf(scope, collection).get(id);
        const limit = limitOf(c.req.query('limit'));
        const cursor = c.req.query('cursor');
        const page = await reader.list(scope, {
          object: collection.object,
          recordId: id,
          ...(limit === undefined ? {} : { limit }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        return c.json(page);
      },
    );
  }
}
