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
  THidden extends TReadonly = never,
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
  /**
   * Read-only fields that never leave the engine: stored and kept by it, read by KPI measures and
   * rollups, but left out of every record a scope returns, of what hooks and events are handed,
   * of filters and sorts (refused as unknown fields), of the HTTP API and of exports. For values
   * kept from records the reader may not see (a lead's converted deal status and amount).
   */
  readonly hiddenFields?: readonly THidden[];
  /**
   * The object whose records the hidden fields are kept from (a lead's converted opportunity):
   * KPI measures over them answer only an actor who sees every record of it (`ctx.rolledUp`
   * returns undefined for the others), and declared KPIs may not read them at all.
   */
  readonly hiddenFrom?: string;
  /**
   * The field that holds the currency of the money fields, for an object without a `currency`
   * field of its own (a lead's kept `convertedOpportunityAmount` is in
   * `convertedOpportunityCurrency`; a `currency` field would default every lead to the base one).
   */
  readonly currencyField?: string;
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
export type AnyObjectDefinition = ObjectDefinition<string, z.ZodObject, string, string, string>;

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
  const THidden extends TReadonly = never,
>(
  definition: ObjectDefinition<TName, TFields, TReadonly, TTable, THidden>,
): ObjectDefinition<TName, TFields, TReadonly, TTable, THidden> {
  const readonly: readonly string[] = definition.readonlyFields;
  for (const field of definition.hiddenFields ?? []) {
    // A field callers could write would be one they could also read back through the write.
    if (!readonly.includes(field))
      throw new Error(`${definition.name}.${field} is hidden but not read-only`);
  }
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

/**
 * The hidden fields of an object ({@link ObjectDefinition.hiddenFields}): none for most objects.
 *
 * @example
 * hiddenFieldsOf(leadObject).has('convertedOpportunityStatus'); // true
 */
export function hiddenFieldsOf(definition: AnyObjectDefinition): ReadonlySet<string> {
  let hidden = hiddenByDefinition.get(definition);
  if (!hidden) {
    hidden = new Set(definition.hiddenFields ?? []);
    hiddenByDefinition.set(definition, hidden);
  }
  return hidden;
}

const hiddenByDefinition = new WeakMap<AnyObjectDefinition, ReadonlySet<string>>();

/**
 * The fields of an object as they leave the engine: its zod fields without the hidden ones (what
 * the HTTP API documents and an export writes).
 *
 * @example
 * Object.keys(publicFieldsOf(leadObject).shape).includes('convertedOpportunityStatus'); // false
 */
export function publicFieldsOf(definition: AnyObjectDefinition): z.ZodObject {
  let fields = publicByDefinition.get(definition);
  if (!fields) {
    const hidden = hiddenFieldsOf(definition);
    fields =
      hidden.size === 0
        ? definition.fields
        : // Cast: `omit` takes a mask of keys of the shape, which the hidden fields are.
          definition.fields.omit(
            Object.fromEntries([...hidden].map((field) => [field, true])) as Record<string, true>,
          );
    publicByDefinition.set(definition, fields);
  }
  return fields;
}

const publicByDefinition = new WeakMap<AnyObjectDefinition, z.ZodObject>();

/**
 * @internal A record without its object's hidden fields: the record itself when the object has
 * none or the record holds none, else a copy (the engine's own record, which the upkeep and the
 * transaction cache hold, keeps them).
 */
export function withoutHidden<TRecord extends object>(
  definition: AnyObjectDefinition,
  record: TRecord,
): TRecord {
  const hidden = hiddenFieldsOf(definition);
  if (hidden.size === 0) return record;
  let copy: Record<string, unknown> | undefined;
  for (const field of hidden) {
    if (!Object.hasOwn(record, field)) continue;
    // Cast: a record object is a record of its fields.
    const stripped = copy ?? { ...(record as Record<string, unknown>) };
    delete stripped[field];
    copy = stripped;
  }
  // Cast: the copy is the record less fields its public type does not declare.
  return (copy ?? record) as TRecord;
}
