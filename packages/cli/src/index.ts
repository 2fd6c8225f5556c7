/**
 * `@rapport/cli`: the `rapport` command, and its parts for reuse (CSV import, report rendering).
 *
 * @packageDocumentation
 */

export { databaseLocation, defaultDatabase, tenantId } from './database/database-location.js';
export { kpiPackages, loadKpiPlugins } from './database/kpi-plugins.js';
export { type OpenCrmOptions, type OpenedCrm, openCrm } from './database/open-crm.js';
export {
  exitCodes,
  formatRapportError,
  InputError,
  reportError,
  UsageError,
} from './errors/cli-errors.js';
export { exportCsv, exportedRecords, exportJson } from './export/record-export.js';
export { spreadsheetSafe } from './export/spreadsheet-safe.js';
export {
  buildColumnMapping,
  type ColumnMapping,
  type ColumnMappingOptions,
} from './import/column-mapping.js';
export { type CsvFile, type CsvRow, openCsv } from './import/csv-rows.js';
export {
  type ImportOptions,
  ImportRejected,
  type ImportSummary,
  importRecords,
  type RowError,
} from './import/import-records.js';
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
