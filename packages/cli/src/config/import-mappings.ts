import type { ObjectName } from '@rapport/core';
import type { FieldKind } from '../import/field-values.js';
import { hubspot } from '../import/sources/hubspot.js';
import { pipedrive } from '../import/sources/pipedrive.js';
import { salesforce } from '../import/sources/salesforce.js';
import type { SourceSystem } from '../import/sources/source-system.js';
import type { ImportMappingConfig } from './config-schema.js';
import type { ConfigFields } from './define-config.js';
import type { LoadedConfig } from './load-config.js';

/** The source systems with shipped mappings, by id. */
export const sourceSystems: Readonly<Record<string, SourceSystem>> = {
  salesforce,
  hubspot,
  pipedrive,
};

/**
 * Every shipped mapping by its name (`salesforce.lead`, `hubspot.deals`, `pipedrive.persons`).
 *
 * @example
 * shippedMappings()['salesforce.opportunity']?.object; // 'opportunity'
 */
export function shippedMappings(): Record<string, ImportMappingConfig> {
  const out: Record<string, ImportMappingConfig> = {};
  for (const system of Object.values(sourceSystems)) {
    for (const [name, mapping] of Object.entries(system.mappings))
      out[`${system.id}.${name}`] = mapping;
  }
  return out;
}

/**
 * A mapping by name: one of the config's `mappings`, else a shipped one; undefined when the name
 * is neither (then it is a mapping file's path).
 *
 * @example
 * findMapping('salesforce.lead', loaded)?.object; // 'lead'
 */
export function findMapping(
  name: string,
  config: LoadedConfig | undefined,
): ImportMappingConfig | undefined {
  return config?.config.mappings?.[name] ?? shippedMappings()[name];
}

const kinds: Record<string, FieldKind> = {
  text: 'text',
  enum: 'text',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  date: 'date',
};

/**
 * How the cells of an object's custom fields are read, from the config's declarations.
 *
 * @example
 * customFieldKinds({ account: { seats: { type: 'integer' } } }, 'account').get('seats'); // 'number'
 */
export function customFieldKinds(
  fields: ConfigFields | undefined,
  object: ObjectName,
): ReadonlyMap<string, FieldKind> {
  return new Map(
    Object.entries(fields?.[object] ?? {}).map(([name, field]) => [
      name,
      kinds[field.type] ?? 'text',
    ]),
  );
}
