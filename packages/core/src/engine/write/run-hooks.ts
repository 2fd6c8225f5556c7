import { validationError } from '../../errors/rapport-error.js';
import { fromZodError } from '../../errors/zod-issues.js';
import {
  type AnyObjectDefinition,
  hiddenFieldsOf,
  withoutHidden,
} from '../../objects/object-definition.js';
import type { ScopeState } from '../engine-state.js';
import type { HookContext, ObjectHooks } from '../hooks.js';
import type { StoredRecord } from '../stored-record.js';

/** Values and custom values on their way to the write. */
export interface HookedValues {
  readonly values: Record<string, unknown>;
  readonly custom: Record<string, unknown>;
}

type BeforeResult = void | Record<string, unknown>;

function hooksOf(state: ScopeState, definition: AnyObjectDefinition): readonly ObjectHooks[] {
  return state.engine.hooks[definition.name] ?? [];
}

function hookContext(state: ScopeState, definition: AnyObjectDefinition): HookContext {
  return {
    tenantId: state.tenantId,
    actor: state.actor,
    object: definition.name,
    scope: state.engine.scopeFactory(state),
  };
}

/** Merges what a before hook returned over the values; custom values merge key by key. */
function applyHookResult(
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
  result: BeforeResult,
): Record<string, unknown> {
  if (!result) return values;
  const { custom, ...rest } = result;
  // A hook cannot set what it cannot see: hidden fields are the engine's to keep.
  for (const field of hiddenFieldsOf(definition)) delete rest[field];
  const merged = { ...values, ...rest };
  if (custom !== undefined) {
    if (custom === null || typeof custom !== 'object') {
      throw validationError(
        definition.name,
        ['custom'],
        'a hook returned custom values that are not an object',
      );
    }
    // Every path that builds `values` sets `custom` to an object first.
    merged.custom = { ...(values.custom as Record<string, unknown>), ...custom };
  }
  return merged;
}

/** Parses fields again after a hook changed them (hooks are not trusted to keep the schema). */
function revalidate(
  definition: AnyObjectDefinition,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const parsed = definition.fields.safeParse(fields);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error);
  return parsed.data;
}

/**
 * Runs the given before hooks in order over the values with their custom values, then parses
 * the fields again if any hook changed something. `externalId` (on updates) is not a field: it
 * passes the parse unchanged.
 */
async function runBefore(
  definition: AnyObjectDefinition,
  hooks: readonly ObjectHooks[],
  start: HookedValues,
  call: (hooks: ObjectHooks, data: Record<string, unknown>) => BeforeResult | Promise<BeforeResult>,
): Promise<HookedValues> {
  let data: Record<string, unknown> = { ...start.values, custom: start.custom };
  let changed = false;
  for (const objectHooks of hooks) {
    // Hooks are app and plugin code: they see the record as a read would, without hidden fields.
    const result = await call(objectHooks, withoutHidden(definition, data));
    if (!result) continue;
    data = applyHookResult(definition, data, result);
    changed = true;
  }
  const { custom, externalId, ...fields } = data;
  const values = changed ? revalidate(definition, fields) : fields;
  if (externalId !== undefined) values.externalId = externalId;
  // applyHookResult keeps `custom` an object (or throws).
  return { values, custom: custom as Record<string, unknown> };
}

/** @internal The `beforeCreate` hooks: they may change the values of a new record. */
export async function runBeforeCreate(
  state: ScopeState,
  definition: AnyObjectDefinition,
  start: HookedValues,
): Promise<HookedValues> {
  const hooks = hooksOf(state, definition);
  if (!hooks.some((objectHooks) => objectHooks.beforeCreate)) return start;
  const context = hookContext(state, definition);
  return runBefore(definition, hooks, start, (objectHooks, data) =>
    objectHooks.beforeCreate?.({ ...context, data }),
  );
}

/** @internal The `beforeUpdate` hooks: they see the merged record and may change it. */
export async function runBeforeUpdate(
  state: ScopeState,
  definition: AnyObjectDefinition,
  start: HookedValues,
  previous: StoredRecord,
): Promise<HookedValues> {
  const hooks = hooksOf(state, definition);
  if (!hooks.some((objectHooks) => objectHooks.beforeUpdate)) return start;
  const context = hookContext(state, definition);
  return runBefore(definition, hooks, start, (objectHooks, data) =>
    objectHooks.beforeUpdate?.({ ...context, data, previous: withoutHidden(definition, previous) }),
  );
}

/** @internal The `beforeDelete` hooks: a throw prevents the delete. */
export async function runBeforeDelete(
  state: ScopeState,
  definition: AnyObjectDefinition,
  record: StoredRecord,
): Promise<void> {
  for (const objectHooks of hooksOf(state, definition)) {
    await objectHooks.beforeDelete?.({
      ...hookContext(state, definition),
      record: withoutHidden(definition, record),
    });
  }
}

/** @internal The `afterCreate` hooks. */
export async function runAfterCreate(
  state: ScopeState,
  definition: AnyObjectDefinition,
  record: StoredRecord,
): Promise<void> {
  for (const objectHooks of hooksOf(state, definition)) {
    await objectHooks.afterCreate?.({
      ...hookContext(state, definition),
      record: withoutHidden(definition, record),
    });
  }
}

/** @internal The `afterUpdate` hooks. */
export async function runAfterUpdate(
  state: ScopeState,
  definition: AnyObjectDefinition,
  record: StoredRecord,
  previous: StoredRecord,
): Promise<void> {
  for (const objectHooks of hooksOf(state, definition)) {
    await objectHooks.afterUpdate?.({
      ...hookContext(state, definition),
      record: withoutHidden(definition, record),
      previous: withoutHidden(definition, previous),
    });
  }
}

/** @internal The `afterDelete` hooks. */
export async function runAfterDelete(
  state: ScopeState,
  definition: AnyObjectDefinition,
  record: StoredRecord,
): Promise<void> {
  for (const objectHooks of hooksOf(state, definition)) {
    await objectHooks.afterDelete?.({
      ...hookContext(state, definition),
      record: withoutHidden(definition, record),
    });
  }
}
