import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { validationError } from '../errors/rapport-error.js';
import { systemFieldNames } from '../objects/field-schemas.js';
import {
  type AnyObjectDefinition,
  type ColumnKind,
  hiddenFieldsOf,
} from '../objects/object-definition.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import { columnKindOf, comparableValue } from './filter-values.js';

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

/**
 * @internal The fields of an object that callers can filter and sort by: every field but the
 * hidden ones, which are refused as unknown fields (a filter on a hidden value would read it,
 * one bisection at a time).
 */
export function queryableFields(definition: AnyObjectDefinition): ReadonlySet<string> {
  let fields = queryableByDefinition.get(definition);
  if (!fields) {
    const hidden = hiddenFieldsOf(definition);
    fields = new Set([...storedFieldsOf(definition)].filter((field) => !hidden.has(field)));
    queryableByDefinition.set(definition, fields);
  }
  return fields;
}

const queryableByDefinition = new WeakMap<AnyObjectDefinition, ReadonlySet<string>>();

/**
 * @internal Every field of an object, hidden ones included: what KPI measures, sources and
 * rollups (code the engine runs, whose results are aggregates) may read.
 */
export function storedFieldsOf(definition: AnyObjectDefinition): ReadonlySet<string> {
  let fields = storedByDefinition.get(definition);
  if (!fields) {
    fields = new Set([...systemFieldNames, ...Object.keys(definition.fields.shape)]);
    storedByDefinition.set(definition, fields);
  }
  return fields;
}

const storedByDefinition = new WeakMap<AnyObjectDefinition, ReadonlySet<string>>();

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

/** The kind a filter value is checked against: a column kind, or a custom field's JSON kind. */
type FilterKind = ColumnKind | 'custom text';

/**
 * A filter value as the column compares it, or VALIDATION at `path`: checked against the
 * field's kind so that 2026-02-30, a number for a text or an object never reach the driver.
 */
function checkedValue(
  kind: FilterKind,
  value: unknown,
  objectName: string,
  path: readonly string[],
): unknown {
  if (value === null) return value;
  if (kind === 'custom text') {
    // A custom field read as JSON text: any scalar compares; text without NUL (Postgres refuses it).
    if (typeof value === 'string') return checkedValue('text', value, objectName, path);
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
      return value;
    throw validationError(objectName, ['where', ...path], 'must be a text, number or boolean');
  }
  const checked = comparableValue(kind, value);
  if ('reason' in checked) {
    throw validationError(objectName, ['where', ...path], checked.reason, 'invalid_filter_value');
  }
  return checked.value;
}

function fieldConditions(
  eb: Builder,
  column: Expression<unknown>,
  target: { readonly path: string; readonly kind: FilterKind },
  filter: unknown,
  objectName: string,
): Condition[] {
  const { path, kind } = target;
  const segments = path.split('.');
  if (filter === null) return [eb(column, 'is', null)];
  if (!isOperatorObject(filter)) {
    if (typeof filter === 'object') {
      throw validationError(
        objectName,
        ['where', ...segments],
        'has an unknown operator',
        'unknown_operator',
      );
    }
    return [eb(column, '=', checkedValue(kind, filter, objectName, segments))];
  }
  const conditions: Condition[] = [];
  // Cast: isOperatorObject checked that every key is an Operator.
  for (const [operator, raw] of Object.entries(filter) as [Operator, unknown][]) {
    if (raw === undefined) continue;
    const operatorPath = [...segments, operator];
    const value =
      operator === 'isNull' ||
      operator === 'startsWith' ||
      operator === 'in' ||
      operator === 'notIn'
        ? raw
        : checkedValue(kind, raw, objectName, operatorPath);
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
          throw validationError(objectName, ['where', ...operatorPath], 'must be an array');
        }
        const values = value.map((item, index) =>
          checkedValue(kind, item, objectName, [...operatorPath, String(index)]),
        );
        if (values.length === 0) {
          conditions.push(operator === 'in' ? sql<boolean>`1 = 0` : sql<boolean>`1 = 1`);
        } else {
          // Like `ne`, `notIn` keeps rows without a value: null is not one of the values.
          conditions.push(
            operator === 'in'
              ? eb(column, 'in', values)
              : eb.or([eb(column, 'not in', values), eb(column, 'is', null)]),
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
        if (kind !== 'text' && kind !== 'custom text') {
          throw validationError(
            objectName,
            ['where', ...operatorPath],
            'works on text fields only',
            'invalid_filter_value',
          );
        }
        if (typeof value !== 'string' || value.includes('\u0000')) {
          throw validationError(
            objectName,
            ['where', ...operatorPath],
            'must be a string without NUL characters',
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
    /** Whether hidden fields may be filtered: for KPI measures and rollups only. */
    readonly hiddenFields?: 'read';
  },
): Condition[] {
  if (!where) return [];
  const { definition, customSchema, dialect, alias } = options;
  const fields =
    options.hiddenFields === 'read' ? storedFieldsOf(definition) : queryableFields(definition);
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
        // Cast: a zod object's shape is typed by its declaration; custom fields are declared at run time.
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
        const kind = customKind(schema) === 'number' ? 'number' : 'custom text';
        conditions.push(
          ...fieldConditions(
            eb,
            column,
            { path: `custom.${key}`, kind },
            customFilter,
            definition.name,
          ),
        );
      }
      continue;
    }
    const kind = fields.has(field) ? columnKindOf(definition, field) : undefined;
    if (!kind) {
      throw validationError(
        definition.name,
        ['where', field],
        'is not a field of this object',
        'unknown_field',
      );
    }
    conditions.push(
      ...fieldConditions(
        eb,
        sql.ref(`${alias}.${field}`),
        { path: field, kind },
        filter,
        definition.name,
      ),
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

/**
 * @internal Reads a cursor of a list sorted by `field`: VALIDATION on `cursor` unless it is
 * `[value, id]` with a value of the field's kind (or null) and a text id, so that a forged
 * cursor is refused before it reaches the driver.
 */
export function decodeCursor(definition: AnyObjectDefinition, field: string, text: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [value, id] = parsed;
      const kind = columnKindOf(definition, field);
      const checked = value === null || !kind ? { value } : comparableValue(kind, value);
      if ('value' in checked && 'value' in comparableValue('text', id)) {
        return { value: checked.value, id: String(id) };
      }
    }
  } catch {
    // fall through to the error below
  }
  const objectName = definition.name;
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
