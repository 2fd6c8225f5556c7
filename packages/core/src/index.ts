/**
 * `@rapport/core`: the CRM domain model, the engine, and the plugin and KPI contracts.
 *
 * @packageDocumentation
 */

/**
 * kysely's `sql` template, as core's own kysely builds it: KPI plugins write escape-hatch queries
 * with it without a kysely dependency of their own (one kysely, the engine's).
 *
 * @example
 * const advanced = sql<number>`case when ${sql.ref('h.status')} = ${'won'} then 1 else 0 end`;
 */
export { sql } from 'kysely';
export { type Crm, type CrmConfig, createCrm, type TenantHandle } from './crm/create-crm.js';
export type { ExchangeRate } from './engine/currencies.js';
export type {
  EventBase,
  EventSubscriptions,
  RapportEvents,
  RecordEvent,
} from './engine/events.js';
export type {
  HookChanges,
  HookContext,
  HookData,
  HooksConfig,
  ObjectHooks,
  ObjectHooksFor,
} from './engine/hooks.js';
export { filterOperators } from './engine/query-filter.js';
export type {
  AnyCustomFields,
  CreateInput,
  CrmRecord,
  CustomInput,
  CustomValues,
  FieldFilter,
  ListQuery,
  Page,
  SortField,
  StoredCrmRecord,
  UpdateInput,
  Where,
} from './engine/record-types.js';
export type { RecordHistory, WriteManyOptions } from './engine/write/record-history.js';
export type { UpsertManyResult } from './engine/write/upsert-records.js';
export {
  isRapportError,
  RapportError,
  type RapportErrorCode,
  type RapportErrorOptions,
  type RapportIssue,
} from './errors/rapport-error.js';
export { newId, recordIdPattern } from './ids/id.js';
export {
  type AnyKpiDefinition,
  type DeclaredKpi,
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
export {
  type KpiBreakdown,
  type KpiDimension,
  type KpiDirection,
  type KpiInfo,
  type KpiTitles,
  type KpiUnit,
  kpiDimensions,
} from './kpi/kpi-info.js';
export {
  type AnyKpiMeasure,
  type KpiAggregate,
  type KpiExpression,
  type KpiMeasure,
  type KpiMeasureValues,
  measure,
} from './kpi/kpi-measure.js';
export type {
  KpiGroupExpressions,
  KpiMeasureRow,
  KpiQueryContext,
  KpiRange,
  KpiRow,
} from './kpi/kpi-query-context.js';
export {
  type KpiComparison,
  type KpiFigure,
  type KpiGroupResult,
  type KpiInterval,
  type KpiResult,
  wilsonInterval,
} from './kpi/kpi-result.js';
export type {
  KpiCheckedBreakdown,
  KpiCommonDimension,
  KpiEvaluateOptions,
  KpiFilters,
  KpiIdOf,
  KpiItemOf,
  KpiItemPage,
  KpiOf,
  KpiResults,
  KpiService,
  PluginKpis,
} from './kpi/kpi-service.js';
export {
  type AnyKpiSource,
  closedDeals,
  type KpiField,
  type KpiNumericField,
  type KpiSource,
  kpiSource,
  repQuotas,
} from './kpi/kpi-source.js';
export { type KpiOutcome, type KpiValue, kpiDivide, kpiRatio } from './kpi/kpi-value.js';
export type { MigrationReport } from './migrations/run-migrations.js';
export { currencyCodeSchema, isCurrencyCode, minorUnitDigits } from './money/currency.js';
export { type MajorUnitsResult, parseMajorUnits } from './money/major-units.js';
export {
  convertMinor,
  formatMoney,
  fromMinorUnits,
  type Money,
  toMinorUnits,
} from './money/money.js';
export { type SystemFields, systemFieldNames } from './objects/field-schemas.js';
export {
  type AnyObjectDefinition,
  type ColumnKind,
  defineObject,
  hiddenFieldsOf,
  type ObjectAccess,
  type ObjectColumns,
  type ObjectDefinition,
  publicFieldsOf,
} from './objects/object-definition.js';
export type {
  ExchangeRatesTable,
  RapportDatabase,
  RecordTable,
  TenantsTable,
} from './objects/rapport-database.js';
export {
  activityTypes,
  contractStatuses,
  defaultPipelineStages,
  forecastCategories,
  leadStatuses,
  type ObjectName,
  pipelineStageSchema,
  type StandardObjects,
  stageStatuses,
  standardObjects,
  userRoles,
} from './objects/standard-objects.js';
export {
  type Period,
  type PeriodCalendar,
  type PeriodInput,
  type PeriodKind,
  previousPeriod,
  type RelativePeriod,
  resolvePeriod,
} from './periods/period.js';
export {
  type AnyRapportPlugin,
  type CustomFieldsConfig,
  definePlugin,
  type PluginApiOf,
  type PluginHookExtras,
  type PluginWithApiId,
  type RapportPlugin,
} from './plugins/define-plugin.js';
export type { MergeCustomFields } from './plugins/merge-custom-fields.js';
export type { PluginContext, PluginTenantTables } from './plugins/plugin-context.js';
export type { PluginDatabase, PluginTables } from './plugins/plugin-tables.js';
export { pluginTablesOf } from './plugins/plugin-tables-of.js';
export type { RollupDifference, RollupReport } from './rollups/rollup-rebuild.js';
export type { RollupState, RollupStatus } from './rollups/rollup-status.js';
export type {
  StageHistoryEntry,
  StageHistoryImportResult,
} from './sales/import-stage-history.js';
export type { ConvertLeadOptions } from './sales/lead-conversion.js';
export type { PipelineStage } from './sales/pipeline-stages.js';
export {
  type CloseWonLineItem,
  type ConvertedLead,
  type CrmScope,
  type CurrencyService,
  type LeadRepository,
  type ObjectReader,
  type ObjectRepository,
  type OpportunityRepository,
  repositoryKeys,
  type SharingService,
} from './scope/crm-scope.js';
export type {
  AnyDatabase,
  MigrationContext,
  RapportMigration,
} from './storage/migration-context.js';
export type {
  ColumnTypes,
  DialectSql,
  RapportStorage,
  StorageErrorKind,
} from './storage/storage-adapter.js';
export {
  type CopiedTable,
  type CopyEndpoint,
  type CopyStorageOptions,
  type CopyStorageReport,
  copyStorage,
  coreTables,
} from './storage-copy/copy-storage.js';
export { type Actor, type ActorRole, systemActor } from './tenancy/actor.js';
export {
  type SharingLevel,
  type SharingObject,
  type SharingPatch,
  type SharingSettings,
  sharingLevels,
  sharingObjects,
  sharingPatchSchema,
  type TeamSharing,
  teamSharingLevels,
} from './tenancy/sharing.js';
export {
  type CreateTenantInput,
  dayInTimeZone,
  type Tenant,
  tenantSettingsSchema,
} from './tenancy/tenant.js';
