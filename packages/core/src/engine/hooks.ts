import type { Actor } from '../tenancy/actor.js';

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
 * Hooks for one object. A `before` hook may return changed values (merged over the input) or throw
 * (a {@link RapportError} is passed on as it is) to reject the write; `after` hooks see the stored
 * record. All run inside the transaction, in plugin order, then the config's hooks.
 *
 * @example
 * const hooks: ObjectHooks = {
 *   beforeCreate: ({ data }) => ({ name: String(data.name).trim() }),
 * };
 */
export interface ObjectHooks<TScope = unknown> {
  /** Before an insert; return values to change. */
  beforeCreate?(
    args: HookContext<TScope> & { readonly data: Readonly<Record<string, unknown>> },
  ): void | Record<string, unknown> | Promise<void | Record<string, unknown>>;
  /** After an insert. */
  afterCreate?(
    args: HookContext<TScope> & { readonly record: Readonly<Record<string, unknown>> },
  ): void | Promise<void>;
  /** Before an update; `data` is the merged record to be stored. */
  beforeUpdate?(
    args: HookContext<TScope> & {
      readonly data: Readonly<Record<string, unknown>>;
      readonly previous: Readonly<Record<string, unknown>>;
    },
  ): void | Record<string, unknown> | Promise<void | Record<string, unknown>>;
  /** After an update. */
  afterUpdate?(
    args: HookContext<TScope> & {
      readonly record: Readonly<Record<string, unknown>>;
      readonly previous: Readonly<Record<string, unknown>>;
    },
  ): void | Promise<void>;
  /** Before a delete; throw to prevent it. */
  beforeDelete?(
    args: HookContext<TScope> & { readonly record: Readonly<Record<string, unknown>> },
  ): void | Promise<void>;
  /** After a delete. */
  afterDelete?(
    args: HookContext<TScope> & { readonly record: Readonly<Record<string, unknown>> },
  ): void | Promise<void>;
}

/**
 * Hooks per object name.
 *
 * @example
 * const hooks: HooksConfig = { lead: { beforeCreate: ({ data }) => ({ rating: 'Warm' }) } };
 */
export type HooksConfig<TScope = unknown> = {
  readonly [object: string]: ObjectHooks<TScope> | undefined;
};
