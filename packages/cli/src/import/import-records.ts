import type { CrmScope, ObjectName } from '@rapport/core';
import { standardObjects } from '@rapport/core';
import { UsageError } from '../errors/cli-errors.js';
import { buildColumnMapping, type ColumnMappingOptions } from './column-mapping.js';
import { type CsvRow, openCsv } from './csv-rows.js';
import { type ErrorRowWriter, openErrorRows } from './error-rows.js';
import { type FieldKind, rowToInput } from './field-values.js';
import {
  historyFields,
  runConversions,
  takeConversion,
  withoutCreationColumns,
} from './history-import.js';
import { referenceResolver, resolveOwner } from './import-references.js';
import { type PreparedRow, type Tally, upsertBatch } from './upsert-batch.js';

/**
 * Options of {@link importRecords}.
 *
 * @example
 * await importRecords(scope, { object: 'lead', file: 'leads.csv', skipInvalid: false });
 */
export interface ImportOptions extends ColumnMappingOptions {
  readonly object: ObjectName;
  readonly file: string;
  /** Land the good rows and write the bad ones to `errorsFile`; else all or nothing. */
  readonly skipInvalid: boolean;
  /** Where bad rows go (original columns + line + error) with `skipInvalid`. */
  readonly errorsFile?: string;
  /** Rows per transaction with `skipInvalid`. Default 500. */
  readonly batchSize?: number;
  /** The owner (user id or external id) of rows that name none, for objects with owners. */
  readonly owner?: string;
  /** Validate the whole file (engine rules, references, uniqueness), then roll back: write nothing. */
  readonly dryRun?: boolean;
  /**
   * History import: each record's own `createdAt` and `createdBy` (the engine's history write;
   * admins only), lead conversions (`converted`, `convertedAt`, `convertedAccountId`,
   * `convertedContactId`, `convertedOpportunityId` on leads; `leadId` on opportunities: the lead
   * the deal came from), done through the engine's lead conversion after the rows land.
   */
  readonly history?: boolean;
  /** The kinds of the object's custom fields (from the config). */
  readonly customKinds?: ReadonlyMap<string, FieldKind>;
  /** Called after every row (cheap: a counter). */
  readonly onProgress?: (rows: number, progress: { bytes: number; total: number }) => void;
}

/** One rejected row. */
export interface RowError {
  readonly line: number;
  /** The CSV column, when the error is about one field. */
  readonly column: string | undefined;
  /** The field path. */
  readonly field: string | undefined;
  /** `VALIDATION`, `CONFLICT`, ... */
  readonly code: string;
  readonly message: string;
}

/**
 * What an import did.
 *
 * @example
 * const summary = await importRecords(scope, options);
 * console.log(`${summary.created} created, ${summary.updated} updated`);
 */
export interface ImportSummary {
  /** Data rows read. */
  readonly rows: number;
  readonly created: number;
  /** Rows whose external id existed (updated where something differed). */
  readonly updated: number;
  /** Rows rejected (with `skipInvalid`: written to the errors file). */
  readonly rejected: number;
  /** The first rejected rows, in file order. */
  readonly errors: readonly RowError[];
  /** Leads converted by a history import. */
  readonly converted: number;
  /** Whether nothing was written (`dryRun`). */
  readonly dryRun: boolean;
}

/** Thrown (after rollback) when an all-or-nothing import met bad rows. */
export class ImportRejected extends Error {
  override readonly name = 'ImportRejected';
  constructor(
    readonly file: string,
    readonly errors: readonly RowError[],
    readonly rowsWithErrors: number,
  ) {
    super(
      `${file}: ${rowsWithErrors} row${rowsWithErrors === 1 ? '' : 's'} rejected; nothing was imported`,
    );
  }
}

const maxReportedErrors = 20;

/** Thrown inside a dry run's transaction to roll it back. */
class DryRunRollback extends Error {}

/**
 * Imports a CSV file into an object by upsert on the external id, so that a re-run (after a
 * crash, or of a corrected file) duplicates nothing. Rows go to the engine in batches
 * (`upsertMany`: one query finds the existing records of a batch; unchanged records cost no write).
 *
 * - All or nothing (default): one transaction; the bad rows (the first twenty) are reported with
 *   their line, column and reason, and nothing is written.
 * - `skipInvalid`: one transaction per batch; the good rows land and the bad ones go to the
 *   errors file. A crash loses at most the batch in flight, and a re-run completes it.
 *
 * The file is streamed; in `skipInvalid` mode memory stays flat for any file size.
 *
 * @example
 * const summary = await importRecords(crm.tenant('acme').system(), { object: 'lead', file: 'leads.csv', skipInvalid: true, errorsFile: 'errors.csv' });
 */
export async function importRecords(
  scope: CrmScope,
  options: ImportOptions,
): Promise<ImportSummary> {
  const { object } = options;
  if (standardObjects[object].engineOnly) {
    throw new UsageError(`${object} records are written by the engine and cannot be imported`);
  }
  if (options.errorsFile && !options.skipInvalid) {
    throw new UsageError(
      '--errors needs --skip-invalid (without it, an import with bad rows writes nothing)',
    );
  }
  if (options.dryRun && options.skipInvalid) {
    throw new UsageError('--dry-run writes nothing; it cannot be combined with --skip-invalid');
  }
  const csv = await openCsv(options.file);
  const history = options.history ? historyFields(object) : undefined;
  const mapping = buildColumnMapping(object, csv.header, {
    ...options,
    ...(options.mapping && !history ? { mapping: withoutCreationColumns(options.mapping) } : {}),
    customFields: [...(options.customKinds?.keys() ?? [])],
    extraFields: history ? [...history.kinds.keys()] : [],
  });
  const baseCurrency = (await scope.settings()).baseCurrency;
  const defaultOwner = await resolveOwner(scope, object, options.owner);
  const batchSize = options.batchSize ?? 500;
  const errors: RowError[] = [];
  const tally: Tally = { created: 0, updated: 0, unchanged: 0 };
  let rows = 0;
  let rejected = 0;
  let converted = 0;
  const errorRows: ErrorRowWriter | undefined =
    options.skipInvalid && options.errorsFile
      ? openErrorRows(options.errorsFile, csv.header)
      : undefined;
  const reject = async (row: CsvRow, failed: readonly RowError[]) => {
    rejected++;
    if (errors.length < maxReportedErrors) errors.push(...failed);
    await errorRows?.write(row, failed);
  };
  const reader = {
    object,
    mapping,
    baseCurrency,
    ...(options.customKinds ? { customKinds: options.customKinds } : {}),
    ...(history ? { extraKinds: history.kinds } : {}),
  };

  interface Batch {
    readonly rows: PreparedRow[];
    /** Rows the CSV already spoils (a number that is not one), reported with the batch. */
    readonly spoiled: { row: CsvRow; errors: RowError[] }[];
  }
  /** Reads the file in batches of prepared rows. */
  async function* batches(resolve: ReturnType<typeof referenceResolver>): AsyncGenerator<Batch> {
    let batch: Batch = { rows: [], spoiled: [] };
    let externalIds = new Set<string>();
    for await (const row of csv.rows) {
      rows++;
      options.onProgress?.(rows, csv.progress());
      const { input, problems } = rowToInput(reader, row.values);
      if (problems.length > 0) {
        batch.spoiled.push({
          row,
          errors: problems.map((p) => ({
            line: row.line,
            column: mapping.columnOf(p.field),
            field: p.field,
            code: 'VALIDATION',
            message: p.message,
          })),
        });
        continue;
      }
      if (defaultOwner !== undefined && input.ownerId === undefined) input.ownerId = defaultOwner;
      await resolve(input);
      const conversion = history ? takeConversion(object, input) : undefined;
      // A repeated external id updates the record its first row made: in a later batch.
      const externalId = String(input.externalId ?? '');
      if (externalIds.has(externalId) || batch.rows.length >= batchSize) {
        yield batch;
        batch = { rows: [], spoiled: [] };
        externalIds = new Set();
      }
      externalIds.add(externalId);
      batch.rows.push({ row, input, conversion });
    }
    if (batch.rows.length > 0 || batch.spoiled.length > 0) yield batch;
  }
  interface Settled {
    readonly failed: { row: CsvRow; errors: RowError[] }[];
    /** A database error: the transaction can take no more statements (Postgres aborts it). */
    readonly fatal: boolean;
    readonly converted: number;
  }
  /** Writes a batch in `target`; counts into `counts`, reports nothing (the caller does). */
  const settle = async (target: CrmScope, batch: Batch, counts: Tally): Promise<Settled> => {
    const result =
      batch.rows.length > 0
        ? await upsertBatch(
            target,
            object,
            batch.rows,
            mapping,
            counts,
            batch.rows.length,
            history !== undefined,
          )
        : { failed: [], fatal: false };
    let fatal = result.fatal;
    let batchConverted = 0;
    const failed = [...batch.spoiled, ...result.failed];
    if (!fatal && history) {
      const landed = new Set(result.failed.map((f) => f.row.line));
      const conversions = await runConversions(
        target,
        object,
        batch.rows.filter((r) => r.conversion && !landed.has(r.row.line)),
        mapping,
      );
      batchConverted = conversions.converted;
      failed.push(...conversions.failed);
      fatal = conversions.fatal;
    }
    failed.sort((x, y) => x.row.line - y.row.line);
    return { failed, fatal, converted: batchConverted };
  };
  const addCounts = (counts: Tally) => {
    tally.created += counts.created;
    tally.updated += counts.updated;
    tally.unchanged += counts.unchanged;
  };

  /**
   * With --skip-invalid, one batch in its own transaction. A row whose write fails at the
   * database (a taken external id) ends what the transaction can do, so the batch is rolled back
   * and written again without the rows that failed, until it commits: every row of the file is
   * then written, unchanged, or rejected with its line, never silently dropped.
   */
  const settleAlone = async (batch: Batch): Promise<void> => {
    const rejectedRows: { row: CsvRow; errors: RowError[] }[] = [];
    let attempt = batch;
    for (;;) {
      const counts: Tally = { created: 0, updated: 0, unchanged: 0 };
      const outcome = await scope
        .transaction(async (tx) => {
          const settled = await settle(tx, attempt, counts);
          if (settled.fatal) throw new BatchRetry(settled);
          return settled;
        })
        .catch((error: unknown) => {
          if (error instanceof BatchRetry) return error;
          throw error;
        });
      if (outcome instanceof BatchRetry) {
        const failedLines = new Set(outcome.settled.failed.map((f) => f.row.line));
        const rowsLeft = attempt.rows.filter((r) => !failedLines.has(r.row.line));
        if (rowsLeft.length === attempt.rows.length) {
          throw new Error('an import batch failed at the database without naming a row');
        }
        rejectedRows.push(...outcome.settled.failed);
        attempt = { rows: rowsLeft, spoiled: [] };
        continue;
      }
      addCounts(counts);
      converted += outcome.converted;
      rejectedRows.push(...outcome.failed);
      break;
    }
    rejectedRows.sort((x, y) => x.row.line - y.row.line);
    for (const { row, errors: rowErrors } of rejectedRows) await reject(row, rowErrors);
  };

  try {
    if (!options.skipInvalid) {
      // Throwing inside the transaction rolls every row back. The whole file is checked, so the
      // count of bad rows is the true one, not a cap; only the first errors are kept.
      await scope
        .transaction(async (tx) => {
          for await (const batch of batches(referenceResolver(tx, object, history?.references))) {
            const settled = await settle(tx, batch, tally);
            converted += settled.converted;
            for (const { row, errors: rowErrors } of settled.failed) await reject(row, rowErrors);
            // A database error aborts a Postgres transaction: nothing more can be checked.
            if (settled.fatal) break;
          }
          if (rejected > 0) throw new ImportRejected(options.file, byLine(errors), rejected);
          if (options.dryRun) throw new DryRunRollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof DryRunRollback)) throw error;
        });
    } else {
      for await (const batch of batches(referenceResolver(scope, object, history?.references))) {
        await settleAlone(batch);
      }
    }
  } finally {
    await errorRows?.close();
  }
  return {
    rows,
    created: tally.created,
    updated: tally.updated + tally.unchanged,
    rejected,
    errors: byLine(errors),
    converted,
    dryRun: options.dryRun ?? false,
  };
}

/** Rolls a --skip-invalid batch back to write it again without the rows that failed. */
class BatchRetry extends Error {
  constructor(
    readonly settled: {
      readonly failed: { row: CsvRow; errors: RowError[] }[];
      readonly fatal: boolean;
      readonly converted: number;
    },
  ) {
    super('batch retried without its failed rows');
  }
}

/** Errors in file order (rows the CSV already spoils are found before a batch is sent). */
function byLine(errors: readonly RowError[]): RowError[] {
  return [...errors].sort((a, b) => a.line - b.line);
}
