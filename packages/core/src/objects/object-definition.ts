import type { z } from 'zod';

/**
 * Who may read and write records of an object.
 * - `owned`: records have an `ownerId`; reps see their own, managers their reports', admins all.
 * - `shared`: everyone in the tenant reads, admins write (users, products, pipelines, ...).
 * - `opportunity`: visible and writable with the opportunity they belong to.
 */
export type ObjectAccess = 'owned' | 'shared' | 'opportunity';

/**
 * The declaration of one CRM object: its table, its stored fields as a zod object, which of them
 * callers may write and which are references to other objects.
 *
 * @example
 * const team = defineObject({ name: 'team', table: 'teams', fields, access: 'shared' });
 */
export interface ObjectDefinition<
  TName extends string = string,
  TFields extends z.ZodObject = z.ZodObject,
  TReadonly extends keyof z.output<TFields> & string = never,
> {
  /** Singular name used in errors, hooks and custom field maps: `opportunity`. */
  readonly name: TName;
  /** Table name (camelCase; stored in snake_case). */
  readonly table: string;
  /** Every stored field besides the system fields and `custom`. */
  readonly fields: TFields;
  /** Fields the engine derives and callers cannot set. */
  readonly readonlyFields: readonly TReadonly[];
  /** Reference fields and the object they point to. */
  readonly references: Readonly<Record<string, string>>;
  /** Access rule. */
  readonly access: ObjectAccess;
  /** Whether records are only written by the engine (stage history). */
  readonly engineOnly?: boolean;
  /** Fields that hold money in minor units, with the field holding their currency. */
  readonly moneyFields?: readonly string[];
}

/** @internal The erased form used where the object is not known statically. */
export type AnyObjectDefinition = ObjectDefinition<string, z.ZodObject, string>;

/**
 * Declares an object. Used by core for the standard objects; exported for plugin authors
 * who read core's definitions.
 *
 * @example
 * const team = defineObject({ name: 'team', table: 'teams', fields, readonlyFields: [], references: {}, access: 'shared' });
 */
export function defineObject<
  const TName extends string,
  TFields extends z.ZodObject,
  const TReadonly extends keyof z.output<TFields> & string = never,
>(
  definition: ObjectDefinition<TName, TFields, TReadonly>,
): ObjectDefinition<TName, TFields, TReadonly> {
  return definition;
}
