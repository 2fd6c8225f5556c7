/**
 * `@rapport/cli`: the `rapport` command, and its parts for reuse (CSV import, report rendering).
 *
 * @packageDocumentation
 */

export {
  type ColumnTarget,
  type CustomFieldConfig,
  type ImportMappingConfig,
  type RapportConfig,
  rapportConfigSchema,
} from './config/config-schema.js';
export {
  type ConfigCrmOptions,
  crmOptionsFromConfig,
  tenantFromConfig,
} from './config/crm-options.js';
export {
  type CustomFieldSchema,
  type CustomFieldSchemas,
  customFieldSchema,
  customFieldSchemas,
} from './config/custom-field-schemas.js';
export { type ConfigFields, defineConfig } from './config/define-config.js';
export { findMapping, shippedMappings, sourceSystems } from './config/import-mappings.js';
export { type LoadedConfig, loadConfig, readConfigFile } from './config/load-config.js';
export { checkStoredCustomFields, staleCustomValues } from './config/stored-field-check.js';
export { databaseLocation, defaultDatabase, tenantId } from './database/database-location.js';
export { kpiPackages, loadConfiguredPlugins, loadKpiPlugins } from './database/kpi-plugins.js';
export { type OpenCrmOptions, type OpenedCrm, openCrm } from './database/open-crm.js';
export { type OpenedProject, openProject, type ProjectFlags } from './database/open-project.js';
export {
  exitCodes,
  formatRapportError,
  InputError,
  reportError,
  UsageError,
} from './errors/cli-errors.js';
export { exportCsv, exportedRecords, exportJson } from './export/record-export.js';
export { rfc4180, spreadsheetSafe } from './export/spreadsheet-safe.js';
export {
  buildColumnMapping,
  type ColumnMapping,
  type ColumnMappingOptions,
} from './import/column-mapping.js';
export { type CsvFile, type CsvRow, openCsv } from './import/csv-rows.js';
export { readDate } from './import/date-formats.js';
export {
  type ImportOptions,
  ImportRejected,
  type ImportSummary,
  importRecords,
  type RowError,
} from './import/import-records.js';
export { importExport } from './import/source-export.js';
export { createProgram } from './program.js';
export { type Bar, renderBarChart } from './report/bar-chart.js';
export { evaluateReport, renderKpiTable, renderReport } from './report/kpi-report.js';
export {
  createNumberFormat,
  formatKpiValue,
  type NumberFormat,
  type ReportLanguage,
} from './report/number-format.js';
export { renderTable, type TableColumn } from './report/text-table.js';
export { runCli } from './run-cli.js';
