import { z } from 'zod';
import type { ScopeState } from '../engine/engine-state.js';
import type { HooksConfig, ObjectHooks } from '../engine/hooks.js';
import { RapportError } from '../errors/rapport-error.js';
import { type ObjectName, standardObjects } from '../objects/standard-objects.js';
import type { AnyRapportPlugin, CustomFieldsConfig } from '../plugins/define-plugin.js';
import { pluginHooks } from '../plugins/plugin-runtime.js';

/** @internal The custom field schemas of plugins and config, merged per object (strict). */
export function mergeCustomSchemas(
  plugins: readonly AnyRapportPlugin[],
  fields: CustomFieldsConfig | undefined,
) {
  const shapes: Record<string, Record<string, z.ZodType>> = {};
  const owners: Record<string, string> = {};
  const sources = [
    ...plugins.map((p) => ({ owner: `plugin ${p.id}`, fields: p.fields })),
    { owner: 'config', fields },
  ];
  for (const source of sources) {
    for (const [object, shape] of Object.entries(source.fields ?? {})) {
      if (!(object in standardObjects)) {
        throw new RapportError(
          'UNSUPPORTED',
          `${source.owner} declares custom fields on unknown object ${object}`,
        );
      }
      const target = shapes[object] ?? {};
      shapes[object] = target;
      for (const [field, schema] of Object.entries(shape ?? {})) {
        const key = `${object}.${field}`;
        if (owners[key])
          throw new RapportError(
            'UNSUPPORTED',
            `custom field ${key} is declared by ${owners[key]} and ${source.owner}`,
          );
        owners[key] = source.owner;
        target[field] = schema;
      }
    }
  }
  // Object.fromEntries loses the keys; they are every object name, as iterated.
  return Object.fromEntries(
    Object.keys(standardObjects).map((object) => [object, z.strictObject(shapes[object] ?? {})]),
  ) as Record<ObjectName, z.ZodObject>;
}

/** @internal The hooks of plugins, then of the config, per object. */
export function mergeHooks(
  plugins: readonly AnyRapportPlugin[],
  hooks: HooksConfig | undefined,
  stateOf: (scope: unknown) => ScopeState,
) {
  const merged: Record<string, ObjectHooks[]> = {};
  for (const source of [...plugins.map((p) => pluginHooks(p, stateOf)), hooks]) {
    for (const [object, objectHooks] of Object.entries(source ?? {})) {
      if (!objectHooks) continue;
      const list = merged[object] ?? [];
      list.push(objectHooks);
      merged[object] = list;
    }
  }
  return merged;
}
