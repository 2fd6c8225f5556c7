import type { z } from 'zod';

/**
 * Who may read and write records of an object.
 * - `owned`: records have an `ownerId`; reps see their own, managers their reports', admins all.
 * - `shared`: everyone in the tenant reads, admins write (users, products, pipelines, ...).
 * - `opportunity`: visible and writable with the opportunity they belong to.
 * - `assigned`: records name the user they are for (`ownerId`, quotas): read like owned records
 *   (the owner, the hierarchy, the team, the org-wide default), written by admins.
 */
export type ObjectAccess = 'owned' | 'shared' | 'opportunity' | 'assigned';

/**
 * How a field is stored, which decides how it is encoded, filtered and typed:
 * - `text`: a string (ids, codes, names, enums);
 * - `integer`: a whole number; `number`: any finite number (quantities, percentages);
 * - `money`: a whole number of minor units, in the record's `currency`;
 * - `date`: a calendar day `YYYY-MM-DD`; `timestamp`: an ISO-8601 UTC instant;
 * - `json`: a JSON document (pipeline stages); `boolean`: true or false.
 */
export type ColumnKind =
  | 'text'
  | 'integer'
  | 'number'
  | 'money'
  | 'date'
  | 'timestamp'
  | 'json'
  | 'boolean';

/**
 * The column kind of every field of an object: one entry per field, checked by the compiler.
 *
 * @example
 * const columns: ObjectColumns<typeof fields> = { name: 'text', amount: 'money' };
 */
export type ObjectColumns<TFields extends z.ZodObject> = {
  readonly [TField in keyof z.output<TFields> & string]-?: ColumnKind;
};

/**
 * The declaration of one CRM object: its table, its stored fields as a zod object, which of them
 * callers may write and which are references to other objects.
 *
 * @example
 * import { z } from 'zod';
 *
 * const fields = z.object({ name: z.string() });
 * const team = defineObject({
 *   name: 'team',
 *   table: 'teams',
 *   fields,
 *   columns: { name: 'text' },
 *   readonlyFields: [],
 *   references: {},
 *   access: 'shared',
 * });
 */
export interface ObjectDefinition<
  TName extends string = string,
  TFields extends z.ZodObject = z.ZodObject,
  TReadonly extends keyof z.output<TFields> & string = never,
  TTable extends string = string,
> {
  /** Singular name used in errors, hooks and custom field maps: `opportunity`. */
  readonly name: TName;
  /** Table name (camelCase; stored in snake_case). */
  readonly table: TTable;
  /** Every stored field besides the system fields and `custom`. */
  readonly fields: TFields;
  /** How each field is stored: the JSON codec, filter checks and database types follow it. */
  readonly columns: ObjectColumns<TFields>;
  /** Fields the engine derives and callers cannot set. */
  readonly readonlyFields: readonly TReadonly[];
  /** Reference fields and the object they point to. */
  readonly references: Readonly<Record<string, string>>;
  /** Access rule. */
  readonly access: ObjectAccess;
  /** Whether records are only written by the engine (stage history). */
  readonly engineOnly?: boolean;
  /** Fields that hold money in minor units (the `money` columns; {@link defineObject} fills it). */
  readonly moneyFields?: readonly string[];
}

/** @internal The erased form used where the object is not known statically. */
export type AnyObjectDefinition = ObjectDefinition<string, z.ZodObject, string>;

/**
 * Declares an object. Used by core for the standard objects; exported for plugin authors
 * who read core's definitions.
 *
 * @example
 * const team = defineObject({ name: 'team', table: 'teams', fields, columns: { name: 'text' }, readonlyFields: [], references: {}, access: 'shared' });
 */
export function defineObject<
  const TName extends string,
  TFields extends z.ZodObject,
  const TReadonly extends keyof z.output<TFields> & string = never,
  const TTable extends string = string,
>(
  definition: ObjectDefinition<TName, TFields, TReadonly, TTable>,
): ObjectDefinition<TName, TFields, TReadonly, TTable> {
  const kinds: Readonly<Record<string, ColumnKind>> = definition.columns;
  const moneyFields =
    definition.moneyFields ?? Object.keys(kinds).filter((field) => kinds[field] === 'money');
  return { ...definition, moneyFields };
}

/**
 * @internal The fields of an object with a column kind (cached per definition).
 *
 * @example
 * fieldsOfKind(opportunityObject, 'date'); // Set { 'openDate', 'closeDate' }
 */
export function fieldsOfKind(
  definition: AnyObjectDefinition,
  kind: ColumnKind,
): ReadonlySet<string> {
  let byKind = fieldsByKind.get(definition);
  if (!byKind) {
    byKind = new Map();
    fieldsByKind.set(definition, byKind);
  }
  let fields = byKind.get(kind);
  if (!fields) {
    const kinds: Readonly<Record<string, ColumnKind>> = definition.columns;
    fields = new Set(Object.keys(kinds).filter((field) => kinds[field] === kind));
    byKind.set(kind, fields);
  }
  return fields;
}

const fieldsByKind = new WeakMap<AnyObjectDefinition, Map<ColumnKind, ReadonlySet<string>>>();
