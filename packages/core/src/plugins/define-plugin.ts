import type { z } from 'zod';
import type { HooksConfig } from '../engine/hooks.js';
import type { AnyKpiDefinition } from '../kpi/kpi-definition.js';
import type { RapportMigration } from '../migrations/migration-context.js';
import type { ObjectName } from '../objects/standard-objects.js';

/**
 * Custom fields per object: a zod schema per field. They are stored with the record (in its
 * `custom` document), validated on every write and usable in filters and KPI breakdowns.
 *
 * @example
 * const fields = { opportunity: { nps: z.number().int().min(0).max(10).optional() } } satisfies CustomFieldsConfig;
 */
export type CustomFieldsConfig = {
  readonly [TObject in ObjectName]?: Readonly<Record<string, z.ZodType>>;
};

/**
 * A Rapport plugin: KPIs, custom fields, hooks and migrations under one id. A plain object,
 * made with {@link definePlugin} so its literal types (KPI ids, field names) reach the consumer.
 */
export interface RapportPlugin<
  TId extends string = string,
  TKpis extends readonly AnyKpiDefinition[] = readonly AnyKpiDefinition[],
  TFields extends CustomFieldsConfig = CustomFieldsConfig,
> {
  /** A stable id, such as `closing` or `acme-nps`. Prefixes the plugin's migration names. */
  readonly id: TId;
  /** KPIs the plugin adds. */
  readonly kpis?: TKpis;
  /** Custom fields the plugin adds. */
  readonly fields?: TFields;
  /** Hooks per object. */
  readonly hooks?: HooksConfig;
  /** Migrations by name; names sort in the order they run. */
  readonly migrations?: Readonly<Record<string, RapportMigration>>;
}

/** @internal The erased form of any plugin. */
export type AnyRapportPlugin = RapportPlugin<
  string,
  readonly AnyKpiDefinition[],
  CustomFieldsConfig
>;

/**
 * Declares a plugin. Identity at run time; at compile time it keeps the literal types.
 *
 * @example
 * export const npsPlugin = definePlugin({
 *   id: 'acme-nps',
 *   fields: { account: { nps: z.number().int().min(0).max(10).optional() } },
 * });
 */
export function definePlugin<
  const TId extends string,
  const TKpis extends readonly AnyKpiDefinition[] = readonly [],
  const TFields extends CustomFieldsConfig = {},
>(plugin: RapportPlugin<TId, TKpis, TFields>): RapportPlugin<TId, TKpis, TFields> {
  return plugin;
}
