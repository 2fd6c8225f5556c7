import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { validationError } from '../errors/rapport-error.js';
import type { AnyDatabase } from '../migrations/migration-context.js';
import { systemFieldNames } from '../objects/field-schemas.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { DialectSql } from '../storage/storage-adapter.js';

type Builder = ExpressionBuilder<AnyDatabase, string>;
type Condition = Expression<SqlBool>;

/**
 * The operators a field filter may use: `{ amount: { gte: 100 } }`.
 *
 * @example
 * filterOperators.includes('startsWith'); // true
 */
export const filterOperators = [
  'eq',
  'ne',
  'in',
  'notIn',
  'gt',
  'gte',
  'lt',
  'lte',
  'isNull',
  'startsWith',
] as const;
type Operator = (typeof filterOperators)[number];
const operators: readonly string[] = filterOperators;

/** @internal The fields of an object that can be filtered and sorted. */
export function queryableFields(definition: AnyObjectDefinition): ReadonlySet<string> {
  let fields = queryableByDefinition.get(definition);
  if (!fields) {
    fields = new Set([...systemFieldNames, ...Object.keys(definition.fields.shape)]);
    queryableByDefinition.set(definition, fields);
  }
  return fields;
}

const queryableByDefinition = new WeakMap<AnyObjectDefinition, ReadonlySet<string>>();

function isOperatorObject(value: unknown): value is Partial<Record<Operator, unknown>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => operators.includes(key));
}

/** The kind of a custom field's values, for casting JSON in SQL (zod's public schema API). */
function customKind(schema: z.core.$ZodType | undefined): 'text' | 'number' {
  let current: z.core.$ZodType | undefined = schema;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (current instanceof z.ZodNumber || current instanceof z.ZodBigInt) return 'number';
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault
    ) {
      current = current.unwrap();
    } else {
      break;
    }
  }
  return 'text';
}

function fieldConditions(
  eb: Builder,
  column: Expression<unknown>,
  path: string,
  filter: unknown,
  objectName: string,
): Condition[] {
  if (filter === null) return [eb(column, 'is', null)];
  if (!isOperatorObject(filter)) {
    if (typeof filter === 'object') {
      throw validationError(
        objectName,
        ['where', ...path.split('.')],
        'has an unknown operator',
        'unknown_operator',
      );
    }
    return [eb(column, '=', filter)];
  }
  const conditions: Condition[] = [];
  // Cast: isOperatorObject checked that every key is an Operator.
  for (const [operator, value] of Object.entries(filter) as [Operator, unknown][]) {
    if (value === undefined) continue;
    switch (operator) {
      case 'eq':
        conditions.push(value === null ? eb(column, 'is', null) : eb(column, '=', value));
        break;
      case 'ne':
        conditions.push(
          value === null
            ? eb(column, 'is not', null)
            : eb.or([eb(column, '<>', value), eb(column, 'is', null)]),
        );
        break;
      case 'in':
      case 'notIn': {
        if (!Array.isArray(value)) {
          throw validationError(
            objectName,
            ['where', ...path.split('.'), operator],
            'must be an array',
          );
        }
        if (value.length === 0) {
          conditions.push(operator === 'in' ? sql<boolean>`1 = 0` : sql<boolean>`1 = 1`);
        } else {
          // Like `ne`, `notIn` keeps rows without a value: null is not one of the values.
          conditions.push(
            operator === 'in'
              ? eb(column, 'in', value)
              : eb.or([eb(column, 'not in', value), eb(column, 'is', null)]),
          );
        }
        break;
      }
      case 'gt':
        conditions.push(eb(column, '>', value));
        break;
      case 'gte':
        conditions.push(eb(column, '>=', value));
        break;
      case 'lt':
        conditions.push(eb(column, '<', value));
        break;
      case 'lte':
        conditions.push(eb(column, '<=', value));
        break;
      case 'isNull':
        conditions.push(eb(column, value ? 'is' : 'is not', null));
        break;
      case 'startsWith': {
        if (typeof value !== 'string') {
          throw validationError(
            objectName,
            ['where', ...path.split('.'), operator],
            'must be a string',
          );
        }
        // Prefix match without LIKE wildcards: a range on the text is exact on every dialect.
        // The bound is the highest code point: in UTF-8 (how SQLite and Postgres compare) every
        // character, astral ones included, sorts below it; U+FFFF would miss emoji.
        conditions.push(eb.and([eb(column, '>=', value), eb(column, '<', `${value}\u{10ffff}`)]));
        break;
      }
    }
  }
  return conditions;
}

/**
 * @internal Translates a `where` object into SQL conditions on `alias`, rejecting unknown fields
 * with a VALIDATION error that names them.
 */
export function whereConditions(
  eb: Builder,
  where: Readonly<Record<string, unknown>> | undefined,
  options: {
    readonly definition: AnyObjectDefinition;
    readonly customSchema: z.ZodObject;
    readonly dialect: DialectSql;
    readonly alias: string;
  },
): Condition[] {
  if (!where) return [];
  const { definition, customSchema, dialect, alias } = options;
  const fields = queryableFields(definition);
  const conditions: Condition[] = [];
  for (const [field, filter] of Object.entries(where)) {
    if (filter === undefined) continue;
    if (field === 'custom') {
      if (filter === null || typeof filter !== 'object') {
        throw validationError(
          definition.name,
          ['where', 'custom'],
          'must be an object of custom field filters',
        );
      }
      for (const [key, customFilter] of Object.entries(filter)) {
        const schema = customSchema.shape[key] as z.ZodType | undefined;
        if (!schema) {
          throw validationError(
            definition.name,
            ['where', 'custom', key],
            'is not a custom field of this object',
            'unknown_field',
          );
        }
        const column = dialect.jsonValue(sql.ref(`${alias}.custom`), key, customKind(schema));
        conditions.push(
          ...fieldConditions(eb, column, `custom.${key}`, customFilter, definition.name),
        );
      }
      continue;
    }
    if (!fields.has(field)) {
      throw validationError(
        definition.name,
        ['where', field],
        'is not a field of this object',
        'unknown_field',
      );
    }
    conditions.push(
      ...fieldConditions(eb, sql.ref(`${alias}.${field}`), field, filter, definition.name),
    );
  }
  return conditions;
}

/** @internal A position in a sorted list: the sort value and the id of the last row. */
export interface Cursor {
  readonly value: unknown;
  readonly id: string;
}

/** @internal */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

/** @internal */
export function decodeCursor(objectName: string, text: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string') {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw validationError(
    objectName,
    ['cursor'],
    'is not a cursor returned by list',
    'invalid_cursor',
  );
}

/**
 * @internal The keyset condition for "rows after the cursor" in the order
 * `field asc nulls first, id asc` (or its exact reverse for desc).
 */
export function afterCursor(
  eb: Builder,
  alias: string,
  field: string,
  direction: 'asc' | 'desc',
  cursor: Cursor,
): Condition {
  const column = sql.ref(`${alias}.${field}`);
  const id = sql.ref(`${alias}.id`);
  if (direction === 'asc') {
    if (cursor.value === null) {
      return eb.or([
        eb.and([eb(column, 'is', null), eb(id, '>', cursor.id)]),
        eb(column, 'is not', null),
      ]);
    }
    return eb.or([
      eb(column, '>', cursor.value),
      eb.and([eb(column, '=', cursor.value), eb(id, '>', cursor.id)]),
    ]);
  }
  if (cursor.value === null) {
    return eb.and([eb(column, 'is', null), eb(id, '<', cursor.id)]);
  }
  return eb.or([
    eb(column, '<', cursor.value),
    eb.and([eb(column, '=', cursor.value), eb(id, '<', cursor.id)]),
    eb(column, 'is', null),
  ]);
}
