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
export { type Crm, type CrmConfig, createCrm, type TenantHandle } from './engine/create-crm.js';
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
} from './engine/crm-scope.js';
export type { ExchangeRate } from './engine/currencies.js';
export type { ScopeState } from './engine/engine-state.js';
export type { EventBase, RapportEvents, RecordEvent } from './engine/events.js';
export type { HookContext, HooksConfig, ObjectHooks } from './engine/hooks.js';
export type { MergeCustomFields } from './engine/merge-custom-fields.js';
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
  UpdateInput,
  Where,
} from './engine/record-types.js';
export type { UpsertManyResult } from './engine/write/upsert-records.js';
export {
  isRapportError,
  RapportError,
  type RapportErrorCode,
  type RapportErrorOptions,
  type RapportIssue,
} from './errors/rapport-error.js';
export { newId } from './ids/id.js';
export {
  type AnyKpiDefinition,
  type AnyKpiMeasure,
  type AnyKpiSource,
  type DeclaredKpi,
  defineKpi,
  type KpiAggregate,
  type KpiBreakdown,
  type KpiDefinition,
  type KpiDimension,
  type KpiDirection,
  type KpiExpression,
  type KpiField,
  type KpiGroupExpressions,
  type KpiInfo,
  type KpiMeasure,
  type KpiMeasureValues,
  type KpiNumericField,
  type KpiOutcome,
  type KpiQueryContext,
  type KpiRange,
  type KpiRow,
  type KpiSource,
  type KpiTitles,
  type KpiUnit,
  type KpiValue,
  kpiDimensions,
  kpiDivide,
  kpiRatio,
  kpiSource,
  measure,
  type QueryKpi,
} from './kpi/kpi-definition.js';
export {
  type KpiComparison,
  type KpiFigure,
  type KpiGroupResult,
  type KpiInterval,
  type KpiResult,
  wilsonInterval,
} from './kpi/kpi-result.js';
export type {
  KpiCommonDimension,
  KpiEvaluateOptions,
  KpiFilters,
  KpiIdOf,
  KpiItemOf,
  KpiOf,
  KpiResults,
  KpiService,
  PluginKpis,
} from './kpi/kpi-service.js';
export type {
  AnyDatabase,
  MigrationContext,
  RapportMigration,
} from './migrations/migration-context.js';
export type { MigrationReport } from './migrations/run-migrations.js';
export { currencyCodeSchema, isCurrencyCode, minorUnitDigits } from './money/currency.js';
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
  type ObjectAccess,
  type ObjectColumns,
  type ObjectDefinition,
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
  type RapportPlugin,
} from './plugins/define-plugin.js';
export type { ConvertLeadOptions } from './sales/lead-conversion.js';
export type { PipelineStage } from './sales/pipeline-stages.js';
export {
  type CopiedTable,
  type CopyEndpoint,
  type CopyStorageOptions,
  type CopyStorageReport,
  copyStorage,
  coreTables,
} from './storage/copy-storage.js';
export type {
  ColumnTypes,
  DialectSql,
  RapportStorage,
  StorageErrorKind,
} from './storage/storage-adapter.js';
export { type Actor, type ActorRole, systemActor } from './tenancy/actor.js';
export {
  type CreateTenantInput,
  dayInTimeZone,
  type Tenant,
  tenantSettingsSchema,
} from './tenancy/tenant.js';
