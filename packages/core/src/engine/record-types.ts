import type { z } from 'zod';
import type { SystemFields } from '../objects/field-schemas.js';
import type { ObjectName, StandardObjects } from '../objects/standard-objects.js';

type FieldsOf<TName extends ObjectName> = z.output<StandardObjects[TName]['fields']>;
type ReadonlyOf<TName extends ObjectName> = StandardObjects[TName]['readonlyFields'][number];
/** Fields the engine keeps but never hands out (a lead's converted deal status and amount). */
type HiddenOf<TName extends ObjectName> = NonNullable<
  StandardObjects[TName]['hiddenFields']
>[number];

/** The shape of custom fields per object, as the engine knows them. */
export type AnyCustomFields = { [TName in ObjectName]: Readonly<Record<string, z.ZodType>> };

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Custom field values of an object, as read. */
export type CustomValues<TCustom extends AnyCustomFields, TName extends ObjectName> = Simplify<
  z.output<z.ZodObject<TCustom[TName]>>
>;

/** Custom field values of an object, as written. */
export type CustomInput<TCustom extends AnyCustomFields, TName extends ObjectName> = Simplify<
  z.input<z.ZodObject<TCustom[TName]>>
>;

/**
 * A record of an object as reads return it: its system fields, its fields but the hidden ones,
 * and typed custom fields.
 *
 * @example
 * const opportunity: CrmRecord<'opportunity'> = await scope.opportunities.get(id);
 */
export type CrmRecord<
  TName extends ObjectName,
  TCustom extends AnyCustomFields = AnyCustomFields,
> = Simplify<Omit<StoredCrmRecord<TName, TCustom>, HiddenOf<TName>>>;

/**
 * A record as the engine stores it: a {@link CrmRecord} with the object's hidden fields too. No
 * read returns it; it is what KPI sources and measures are declared over, since measures and
 * rollups may filter and sum hidden fields (a lead's `convertedOpportunityStatus`).
 *
 * @example
 * type Status = StoredCrmRecord<'lead'>['convertedOpportunityStatus']; // 'open' | 'won' | 'lost' | null
 */
export type StoredCrmRecord<
  TName extends ObjectName,
  TCustom extends AnyCustomFields = AnyCustomFields,
> = Simplify<
  SystemFields & {
    readonly [K in keyof FieldsOf<TName>]-?: Exclude<FieldsOf<TName>[K], undefined>;
  } & { readonly custom: CustomValues<TCustom, TName> }
>;

/**
 * What `create` takes for an object: its writable fields, optionally an id, an external id and
 * custom field values.
 *
 * @example
 * const input: CreateInput<'account'> = { name: 'Acme' };
 */
export type CreateInput<
  TName extends ObjectName,
  TCustom extends AnyCustomFields = AnyCustomFields,
> = Simplify<
  Omit<z.input<StandardObjects[TName]['fields']>, ReadonlyOf<TName>> & {
    /** An id of your choosing; a UUID v7 is made when left out. */
    readonly id?: string;
    /** An id from another system, unique per tenant and object. */
    readonly externalId?: string | null;
    /** Custom field values. */
    readonly custom?: CustomInput<TCustom, TName>;
  }
>;

/**
 * What `update` takes: any writable fields plus the `version` that was read.
 *
 * @example
 * const patch: UpdateInput<'opportunity'> = { version: 3, nextStep: 'Call CFO' };
 */
export type UpdateInput<
  TName extends ObjectName,
  TCustom extends AnyCustomFields = AnyCustomFields,
> = Simplify<
  Partial<Omit<CreateInput<TName, TCustom>, 'id'>> & {
    /** The version the caller read; a different stored version is a CONFLICT. */
    readonly version: number;
  }
>;

/**
 * A filter on one field: a value (equality), `null` (is null), or operators.
 *
 * @example
 * const filter: FieldFilter<number> = { gte: 1000, lt: 5000 };
 */
export type FieldFilter<TValue> =
  | TValue
  | null
  | {
      /** Equal to; `null` means has no value. */
      readonly eq?: TValue | null;
      /** Not equal to (rows without a value included); `null` means has a value. */
      readonly ne?: TValue | null;
      readonly in?: readonly TValue[];
      readonly notIn?: readonly TValue[];
      readonly gt?: TValue;
      readonly gte?: TValue;
      readonly lt?: TValue;
      readonly lte?: TValue;
      readonly isNull?: boolean;
      readonly startsWith?: TValue extends string ? string : never;
    };

/**
 * Filters for `list` and `count`: fields are ANDed; custom fields go under `custom`.
 *
 * @example
 * const where: Where<CrmRecord<'opportunity'>> = { status: 'open', amount: { gte: 100_00 } };
 */
export type Where<TRecord> = {
  readonly [K in keyof TRecord as K extends 'custom' ? never : K]?: FieldFilter<
    NonNullable<TRecord[K]>
  >;
} & (TRecord extends { readonly custom: infer TCustomValues }
  ? {
      readonly custom?: {
        readonly [K in keyof TCustomValues]?: FieldFilter<NonNullable<TCustomValues[K]>>;
      };
    }
  : {});

/** Fields a list can be sorted by. */
export type SortField<TRecord> = Exclude<keyof TRecord, 'custom'> & string;

/**
 * A list query: filters, one sort field (ties broken by id), a page size and a cursor.
 *
 * @example
 * await scope.opportunities.list({ where: { status: 'open' }, orderBy: { field: 'amount', direction: 'desc' }, limit: 20 });
 */
export interface ListQuery<TRecord> {
  /** Filters. */
  readonly where?: Where<TRecord>;
  /** Sort order; default `createdAt` ascending. */
  readonly orderBy?: { readonly field: SortField<TRecord>; readonly direction?: 'asc' | 'desc' };
  /** Page size, 1 to 1000; default 50. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/**
 * One page of a list.
 *
 * @example
 * let page = await scope.leads.list();
 * while (page.nextCursor) page = await scope.leads.list({ cursor: page.nextCursor });
 */
export interface Page<TRecord> {
  /** The records of this page. */
  readonly items: TRecord[];
  /** Pass to the next `list` call; `null` on the last page. */
  readonly nextCursor: string | null;
}
