import type { SystemFields } from '../objects/field-schemas.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { Actor } from '../tenancy/actor.js';
import type { AnyCustomFields, CrmRecord, CustomInput } from './record-types.js';

/**
 * What a hook sees. It runs inside the write's transaction: reads and writes through `scope` are
 * part of it, and a throw rolls everything back.
 */
export interface HookContext<TScope = unknown> {
  /** The tenant. */
  readonly tenantId: string;
  /** Who is writing. */
  readonly actor: Actor;
  /** The object name. */
  readonly object: string;
  /** A scope bound to the running transaction. */
  readonly scope: TScope;
}

/**
 * The values a write is about to store, as a `before` hook sees them: every field of the object
 * (defaults applied) and the custom values as given, but no system fields yet.
 *
 * @example
 * const data: HookData<'lead'> = { lastName: 'Doe', company: 'Globex', custom: {} } as HookData<'lead'>;
 */
export type HookData<
  TName extends ObjectName,
  TCustom extends AnyCustomFields = AnyCustomFields,
> = Omit<CrmRecord<TName, TCustom>, keyof SystemFields | 'custom'> & {
  readonly custom?: Partial<CustomInput<TCustom, TName>>;
};

/**
 * What a `before` hook may return: the fields to change (merged over the input, then validated
 * again), or nothing.
 */
export type HookChanges<TData> = {
  -readonly [TKey in keyof TData]?: TData[TKey];
};

/**
 * Hooks for one object. A `before` hook may return changed values (merged over the input) or throw
 * (a {@link RapportError} is passed on as it is) to reject the write; `after` hooks see the stored
 * record. All run inside the transaction, in plugin order, then the config's hooks. `TRecord` and
 * `TData` are the object's stored record and write values ({@link ObjectHooksFor} fills them in);
 * they default to plain records for code that handles every object alike.
 *
 * @example
 * const hooks: ObjectHooksFor<'lead'> = {
 *   beforeCreate: ({ data }) => ({ company: data.company.trim() }),
 * };
 */
export interface ObjectHooks<
  TScope = unknown,
  TRecord extends object = Readonly<Record<string, unknown>>,
  TData extends object = Readonly<Record<string, unknown>>,
  TExtra extends object = {},
> {
  /** Before an insert; return values to change. */
  beforeCreate?(
    args: HookContext<TScope> & TExtra & { readonly data: TData },
  ): void | HookChanges<TData> | Promise<void | HookChanges<TData>>;
  /** After an insert. */
  afterCreate?(
    args: HookContext<TScope> & TExtra & { readonly record: TRecord },
  ): void | Promise<void>;
  /** Before an update; `data` is the merged record to be stored. */
  beforeUpdate?(
    args: HookContext<TScope> & TExtra & { readonly data: TData; readonly previous: TRecord },
  ): void | HookChanges<TData> | Promise<void | HookChanges<TData>>;
  /** After an update. */
  afterUpdate?(
    args: HookContext<TScope> & TExtra & { readonly record: TRecord; readonly previous: TRecord },
  ): void | Promise<void>;
  /** Before a delete; throw to prevent it. */
  beforeDelete?(
    args: HookContext<TScope> & TExtra & { readonly record: TRecord },
  ): void | Promise<void>;
  /** After a delete. */
  afterDelete?(
    args: HookContext<TScope> & TExtra & { readonly record: TRecord },
  ): void | Promise<void>;
}

/**
 * The hooks of one object, typed from the object and its custom fields: `data.company` is a
 * string on a lead, `data.amuont` does not compile.
 *
 * @example
 * const hooks: ObjectHooksFor<'opportunity'> = { beforeUpdate: ({ data }) => ({ nextStep: data.nextStep ?? 'Call' }) };
 */
export type ObjectHooksFor<
  TName extends ObjectName,
  TCustom extends AnyCustomFields = AnyCustomFields,
  TScope = unknown,
  TExtra extends object = {},
> = ObjectHooks<TScope, CrmRecord<TName, TCustom>, HookData<TName, TCustom>, TExtra>;

/**
 * Hooks per object name, each typed from its object.
 *
 * @example
 * const hooks: HooksConfig = { lead: { beforeCreate: ({ data }) => ({ rating: data.rating ?? 'Warm' }) } };
 */
export type HooksConfig<
  TScope = unknown,
  TCustom extends AnyCustomFields = AnyCustomFields,
  TExtra extends object = {},
> = {
  readonly [TName in ObjectName]?: ObjectHooksFor<TName, TCustom, TScope, TExtra>;
};
