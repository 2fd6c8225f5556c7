import { sql } from 'kysely';
import { z } from 'zod';
import { validationError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { dbOf, type ScopeState } from '../engine-state.js';
import {
  afterCursor,
  decodeCursor,
  encodeCursor,
  queryableFields,
  whereConditions,
} from '../query-filter.js';
import { decodeRow } from '../record-codec.js';
import type { StoredRecord } from '../stored-record.js';
import { ownersCondition, readProvingTenant, visibilityCondition } from '../visibility.js';

/** @internal What `list` takes: filters, one sort field, a page size and a cursor. */
export interface RecordQuery {
  readonly where?: Readonly<Record<string, unknown>>;
  readonly orderBy?: { readonly field: string; readonly direction?: 'asc' | 'desc' };
  readonly limit?: number;
  readonly cursor?: string;
}

const noCustomFields = z.strictObject({});

/**
 * Whether every row has a value in `field`: a system field, or a declared field that accepts
 * neither null nor a missing value. Such an order needs no nulls clause, and must not have one:
 * Postgres walks its (tenantId, field, id) index only for the plain order (a btree there is ASC
 * NULLS LAST, and `asc nulls first` made it sort the whole tenant for every default page);
 * SQLite reads both alike.
 */
const alwaysSetSystemFields: ReadonlySet<string> = new Set([
  'tenantId',
  'id',
  'version',
  'createdAt',
  'updatedAt',
]);

function neverNull(definition: AnyObjectDefinition, field: string): boolean {
  if (alwaysSetSystemFields.has(field)) return true;
  const schema = definition.fields.shape[field];
  return (
    schema !== undefined && !schema.safeParse(null).success && !schema.safeParse(undefined).success
  );
}

/** The checked sort and page size of a query: VALIDATION for anything else. */
function pageOf(definition: AnyObjectDefinition, query: RecordQuery) {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw validationError(
      definition.name,
      ['limit'],
      'must be a whole number from 1 to 1000',
      'invalid_limit',
    );
  }
  const field = query.orderBy?.field ?? 'createdAt';
  if (!queryableFields(definition).has(field)) {
    throw validationError(
      definition.name,
      ['orderBy', 'field'],
      `${field} is not a field of this object`,
      'unknown_field',
    );
  }
  const direction = query.orderBy?.direction ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') {
    throw validationError(
      definition.name,
      ['orderBy', 'direction'],
      'must be asc or desc',
      'invalid_direction',
    );
  }
  return { limit, field, direction };
}

/** @internal Lists visible records with filters, sorting and keyset pagination. */
export async function listRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  query: RecordQuery = {},
): Promise<{ items: StoredRecord[]; nextCursor: string | null }> {
  const { limit, field, direction } = pageOf(definition, query);
  const cursor =
    query.cursor === undefined ? undefined : decodeCursor(definition, field, query.cursor);
  const customSchema = state.engine.customSchemas[definition.name] ?? noCustomFields;
  // A page with a row proves the tenant: no statement for the tenant row before it.
  const rows = await readProvingTenant(
    state,
    async () => {
      const visible = await ownersCondition(state, definition, 't');
      return dbOf(state)
        .selectFrom(`${definition.table} as t`)
        .selectAll('t')
        .where((eb) =>
          eb.and([
            eb('t.tenantId', '=', state.tenantId),
            ...(visible ? [visible] : []),
            ...whereConditions(eb, query.where, {
              definition,
              customSchema,
              dialect: state.engine.storage.sql,
              alias: 't',
            }),
            ...(cursor ? [afterCursor(eb, 't', field, direction, cursor)] : []),
          ]),
        )
        .orderBy(
          neverNull(definition, field)
            ? sql`${sql.ref(`t.${field}`)} ${sql.raw(direction)}`
            : direction === 'asc'
              ? sql`${sql.ref(`t.${field}`)} asc nulls first`
              : sql`${sql.ref(`t.${field}`)} desc nulls last`,
        )
        .orderBy('t.id', direction)
        .limit(limit + 1);
    },
    (statement) => statement.execute(),
    (found) => found.length > 0,
  );
  const dialect = state.engine.storage.sql;
  const items = rows.slice(0, limit).map((row) => decodeRow(dialect, definition, row));
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ value: last[field] ?? null, id: last.id }) : null;
  return { items, nextCursor };
}

/** @internal Counts visible records matching a filter. */
export async function countRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  where?: Readonly<Record<string, unknown>>,
): Promise<number> {
  const customSchema = state.engine.customSchemas[definition.name] ?? noCustomFields;
  // A count above 0 proves the tenant, as a page with a row does.
  return readProvingTenant(
    state,
    async () => {
      const visible = await ownersCondition(state, definition, 't');
      return dbOf(state)
        .selectFrom(`${definition.table} as t`)
        .select((eb) => eb.fn.countAll().as('count'))
        .where((eb) =>
          eb.and([
            eb('t.tenantId', '=', state.tenantId),
            ...(visible ? [visible] : []),
            ...whereConditions(eb, where, {
              definition,
              customSchema,
              dialect: state.engine.storage.sql,
              alias: 't',
            }),
          ]),
        );
    },
    async (statement) => Number((await statement.executeTakeFirstOrThrow()).count),
    (count) => count > 0,
  );
}

/** @internal Finds a visible record by external id. */
export async function findByExternalId(
  state: ScopeState,
  definition: AnyObjectDefinition,
  externalId: string,
): Promise<StoredRecord | undefined> {
  const page = await listRecords(state, definition, { where: { externalId }, limit: 1 });
  return page.items[0];
}

/** @internal The visible records with these external ids (one query per 1,000), by external id. */
export async function findManyByExternalId(
  state: ScopeState,
  definition: AnyObjectDefinition,
  externalIds: readonly string[],
): Promise<Map<string, StoredRecord>> {
  const found = new Map<string, StoredRecord>();
  const visible = await visibilityCondition(state, definition, 't');
  const dialect = state.engine.storage.sql;
  for (let start = 0; start < externalIds.length; start += 1000) {
    let query = dbOf(state)
      .selectFrom(`${definition.table} as t`)
      .selectAll('t')
      .where('t.tenantId', '=', state.tenantId)
      .where('t.externalId', 'in', externalIds.slice(start, start + 1000));
    if (visible) query = query.where(visible);
    for (const row of await query.execute()) {
      const record = decodeRow(dialect, definition, row);
      found.set(String(record.externalId), record);
    }
  }
  return found;
}
