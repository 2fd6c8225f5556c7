/**
 * `@rapport/core/plugin`: what a plugin author needs, and nothing an application embeds with.
 * A plugin is a plain object made with {@link definePlugin}: KPIs, custom fields, hooks typed per
 * object, its own tables with declared column kinds, migrations, and a runtime `init(ctx)`.
 *
 * @example
 * import { definePlugin, defineKpi } from '@rapport/core/plugin';
 *
 * @packageDocumentation
 */

export { sql } from 'kysely';
export type { RapportEvents } from './engine/events.js';
export type {
  HookChanges,
  HookContext,
  HookData,
  HooksConfig,
  ObjectHooks,
  ObjectHooksFor,
} from './engine/hooks.js';
export { RapportError } from './errors/rapport-error.js';
export {
  type AnyKpiDefinition,
  defineKpi,
  type KpiDefinition,
  type KpiProvider,
  type QueryKpi,
} from './kpi/kpi-definition.js';
export {
  type KpiFact,
  type KpiFactRow,
  type KpiFacts,
  kpiFacts,
} from './kpi/kpi-facts.js';
export { type KpiBreakdown, type KpiDimension, kpiDimensions } from './kpi/kpi-info.js';
export { type AnyKpiMeasure, measure } from './kpi/kpi-measure.js';
export type { KpiMeasureRow, KpiQueryContext, KpiRow } from './kpi/kpi-query-context.js';
export {
  type AnyKpiSource,
  closedDeals,
  type KpiSource,
  kpiSource,
  repQuotas,
} from './kpi/kpi-source.js';
export { kpiDivide, kpiRatio } from './kpi/kpi-value.js';
export {
  type AnyRapportPlugin,
  type CustomFieldsConfig,
  definePlugin,
  type PluginApiOf,
  type PluginHookExtras,
  type PluginWithApiId,
  type RapportPlugin,
} from './plugins/define-plugin.js';
export type {
  PluginContext,
  PluginTenantTables,
  TenantTableName,
} from './plugins/plugin-context.js';
export type {
  PluginColumn,
  PluginColumnKind,
  PluginColumnValue,
  PluginDatabase,
  PluginRow,
  PluginTableColumns,
  PluginTables,
} from './plugins/plugin-tables.js';
export { pluginTablesOf } from './plugins/plugin-tables-of.js';
export type { CrmScope } from './scope/crm-scope.js';
export type { MigrationContext, RapportMigration } from './storage/migration-context.js';
