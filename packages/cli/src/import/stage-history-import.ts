import { type CrmScope, isRapportError, type StageHistoryEntry } from '@rapport/core';
import { UsageError } from '../errors/cli-errors.js';
import {
  buildColumnMapping,
  type ColumnMapping,
  type ColumnMappingOptions,
} from './column-mapping.js';
import { type CsvRow, openCsv } from './csv-rows.js';
import { type FieldKind, rowToInput } from './field-values.js';
import { ImportRejected, type RowError } from './import-records.js';

/**
 * Options of {@link importStageHistoryFile}.
 *
 * @example
 * await importStageHistoryFile(scope, { file: 'OpportunityHistory.csv', mapping: shippedMappings()['salesforce.opportunityHistory'] });
 */
export interface StageHistoryImportOptions extends ColumnMappingOptions {
  readonly file: string;
  /** Validate the whole file, then roll back: write nothing. */
  readonly dryRun?: boolean;
  /** Changes per engine call (all in one transaction). Default 1,000. */
  readonly batchSize?: number;
  /** Called after every row. */
  readonly onProgress?: (rows: number, progress: { bytes: number; total: number }) => void;
}

/**
 * What a stage history import did.
 *
 * @example
 * const { created, unchanged } = await importStageHistoryFile(scope, options);
 */
export interface StageHistorySummary {
  readonly rows: number;
  /** History entries written for changes not imported before. */
  readonly created: number;
  /** Entries rewritten (other values, or a predecessor that changed). */
  readonly updated: number;
  /** Entries already as the file says. */
  readonly unchanged: number;
  /** Entries the engine wrote when the deals were created, replaced by the imported history. */
  readonly replaced: number;
  /** Rows that fill no stage (a value map to null): not a change, skipped. */
  readonly skipped: number;
  readonly dryRun: boolean;
}

/** The fields a stage history file may fill. */
const fields = [
  'opportunityId',
  'stage',
  'amount',
  'probability',
  'closeDate',
  'changedAt',
  'changedBy',
];
const kinds = new Map<string, FieldKind>([
  ['changedAt', 'timestamp'],
  ['changedBy', 'text'],
]);
const maxReportedErrors = 20;

class DryRunRollback extends Error {}

const rowError = (
  row: CsvRow,
  mapping: ColumnMapping,
  field: string | undefined,
  code: string,
  message: string,
): RowError => ({
  line: row.line,
  column: field === undefined ? undefined : mapping.columnOf(field),
  field,
  code,
  message,
});

/**
 * Imports a file of deal stage changes (Salesforce's OpportunityHistory report, a HubSpot or
 * Pipedrive stage log, any CSV with deal, stage, amount, probability, close date and the instant
 * of the change) into the deals' stage history, each change dated by its own instant, through
 * `opportunities.importStageHistory`. The deal column takes a deal's id or external id. All or
 * nothing in one transaction: an unknown deal or a stage not in the deal's pipeline is reported
 * with its line, and nothing is written. Importing the same file again changes nothing.
 *
 * @example
 * await importStageHistoryFile(crm.tenant('acme').system(), { file: 'history.csv', map: ['Deal=opportunityId', 'Changed=changedAt'] });
 */
export async function importStageHistoryFile(
  scope: CrmScope,
  options: StageHistoryImportOptions,
): Promise<StageHistorySummary> {
  const csv = await openCsv(options.file);
  const mapping = buildColumnMapping('stageHistory', csv.header, {
    ...options,
    mappableFields: fields,
    customFields: [],
    requireExternalId: false,
  });
  for (const required of ['opportunityId', 'stage', 'changedAt']) {
    if (mapping.columnOf(required) === undefined && !(required in mapping.constants)) {
      throw new UsageError(
        `no column fills ${required}: a stage change needs its deal (opportunityId), stage and instant (changedAt); map it with --map "<column>=${required}"`,
      );
    }
  }
  const baseCurrency = (await scope.settings()).baseCurrency;
  const batchSize = options.batchSize ?? 1000;
  const counts = { created: 0, updated: 0, unchanged: 0, replaced: 0 };
  const errors: RowError[] = [];
  let rows = 0;
  let rejected = 0;
  let skipped = 0;
  const reject = (failed: readonly RowError[]) => {
    rejected++;
    if (errors.length < maxReportedErrors) errors.push(...failed);
  };

  await scope
    .transaction(async (tx) => {
      const deals = new Map<string, { id: string; currency: string } | null>();
      const dealOf = async (value: string) => {
        let deal = deals.get(value);
        if (deal === undefined) {
          const found =
            (await tx.opportunities.find(value)) ??
            (await tx.opportunities.findByExternalId(value));
          deal = found ? { id: found.id, currency: found.currency } : null;
          if (deals.size > 100_000) deals.clear();
          deals.set(value, deal);
        }
        return deal;
      };
      let batch: { row: CsvRow; entry: StageHistoryEntry }[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const sent = batch;
        batch = [];
        // Sent even after a bad row, so every bad row is counted: the engine checks a whole
        // call before it writes, and the transaction is rolled back at the end anyway.
        try {
          const result = await tx.opportunities.importStageHistory(sent.map((item) => item.entry));
          counts.created += result.created;
          counts.updated += result.updated;
          counts.unchanged += result.unchanged;
          counts.replaced += result.replaced;
        } catch (error) {
          if (!isRapportError(error) || error.issues.length === 0) throw error;
          const byRow = new Map<number, RowError[]>();
          for (const issue of error.issues) {
            const [index, field] = issue.path;
            if (typeof index !== 'number') throw error;
            const item = sent[index];
            if (!item) throw error;
            const list = byRow.get(index) ?? [];
            list.push(
              rowError(
                item.row,
                mapping,
                field === undefined ? undefined : String(field),
                error.code,
                issue.message,
              ),
            );
            byRow.set(index, list);
          }
          for (const [, list] of [...byRow].sort((a, b) => a[0] - b[0])) reject(list);
        }
      };
      for await (const row of csv.rows) {
        rows++;
        options.onProgress?.(rows, csv.progress());
        const dealText =
          row.values[
            mapping.rules.findIndex((list) => list.some((r) => r.field === 'opportunityId'))
          ]?.trim() ?? '';
        const deal = dealText === '' ? undefined : await dealOf(dealText);
        const { input, problems } = rowToInput(
          {
            object: 'stageHistory',
            mapping,
            baseCurrency: deal?.currency ?? baseCurrency,
            extraKinds: kinds,
          },
          row.values,
        );
        // A row that fills no stage states no change (a value map to null says so: a deal still
        // prospecting has not entered the stage this file is about).
        if (input.stage === undefined && problems.length === 0) {
          skipped++;
          continue;
        }
        const failed = problems.map((p) =>
          rowError(row, mapping, p.field, 'VALIDATION', p.message),
        );
        if (deal === null) {
          failed.push(
            rowError(
              row,
              mapping,
              'opportunityId',
              'VALIDATION',
              `references no opportunity with id or external id "${dealText}"`,
            ),
          );
        } else if (deal) {
          input.opportunityId = deal.id;
        }
        if (failed.length > 0) {
          reject(failed);
          continue;
        }
        // The engine validates every field; the erased row becomes its typed entry there.
        batch.push({ row, entry: input as unknown as StageHistoryEntry });
        if (batch.length >= batchSize) await flush();
      }
      await flush();
      if (rejected > 0)
        throw new ImportRejected(
          options.file,
          [...errors].sort((a, b) => a.line - b.line),
          rejected,
        );
      if (options.dryRun) throw new DryRunRollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof DryRunRollback)) throw error;
    });
  return { rows, ...counts, skipped, dryRun: options.dryRun ?? false };
}
