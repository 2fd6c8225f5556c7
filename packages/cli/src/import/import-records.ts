import type { CrmScope, ObjectName } from '@rapport/core';
import { isRapportError, standardObjects } from '@rapport/core';
import { InputError, UsageError } from '../errors/cli-errors.js';
import { repositoryKey } from '../objects/object-name.js';
import {
  buildColumnMapping,
  type ColumnMapping,
  type ColumnMappingOptions,
} from './column-mapping.js';
import { type CsvRow, openCsv } from './csv-rows.js';
import { type ErrorRowWriter, openErrorRows } from './error-rows.js';
import { rowToInput } from './field-values.js';

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

interface Upserter {
  upsert(input: Record<string, unknown>): Promise<{ readonly created: boolean }>;
  find(id: string): Promise<{ readonly id: string } | undefined>;
  findByExternalId(externalId: string): Promise<{ readonly id: string } | undefined>;
}

function repositoryOf(scope: CrmScope, object: ObjectName): Upserter {
  // The repositories are typed per object; an import picks its object at run time, and the engine
  // validates every input with the object's schema, so the erased view is safe here.
  return scope[repositoryKey(object)] as unknown as Upserter;
}

const maxReportedErrors = 20;

function rowErrors(error: unknown, line: number, mapping: ColumnMapping): RowError[] {
  if (isRapportError(error)) {
    if (error.issues.length === 0)
      return [
        { line, column: undefined, field: undefined, code: error.code, message: error.message },
      ];
    return error.issues.map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : undefined;
      const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
      const message = missing
        ? 'is required (the cell is empty or no column fills it)'
        : issue.message;
      const head =
        issue.path[0] === 'custom'
          ? `custom.${String(issue.path[1])}`
          : String(issue.path[0] ?? '');
      return {
        line,
        column: mapping.columnOf(head),
        field,
        code: error.code,
        message,
      };
    });
  }
  throw error;
}

/** Resolves reference fields given as external ids to record ids (cached). */
function referenceResolver(scope: CrmScope, object: ObjectName) {
  const references = standardObjects[object].references;
  const cache = new Map<string, string | null>();
  return async (input: Record<string, unknown>): Promise<void> => {
    for (const [field, target] of Object.entries(references)) {
      const value = input[field];
      if (typeof value !== 'string') continue;
      const key = `${target}:${value}`;
      let id = cache.get(key);
      if (id === undefined) {
        const repository = repositoryOf(scope, target as ObjectName);
        id =
          (await repository.find(value))?.id ??
          (await repository.findByExternalId(value))?.id ??
          null;
        if (cache.size > 100_000) cache.clear();
        cache.set(key, id);
      }
      // An unknown value stays as given: the engine then names the field in its error.
      if (id) input[field] = id;
    }
  };
}

/**
 * Imports a CSV file into an object by upsert on the external id, so that a re-run (after a
 * crash, or of a corrected file) duplicates nothing.
 *
 * - All or nothing (default): one transaction; every bad row is reported with its line, column
 *   and reason, and nothing is written.
 * - `skipInvalid`: transactions of `batchSize` rows; a batch with a bad row is replayed row by row,
 *   so the good rows land and the bad ones go to the errors file.
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
  const csv = await openCsv(options.file);
  const mapping = buildColumnMapping(object, csv.header, options);
  const baseCurrency = (await scope.settings()).baseCurrency;
  const defaultOwner = await resolveOwner(scope, object, options.owner);
  const errors: RowError[] = [];
  let rows = 0;
  let created = 0;
  let updated = 0;
  let rejected = 0;

  const prepare = (row: CsvRow) => {
    const { input, problems } = rowToInput(object, mapping, row.values, baseCurrency);
    if (defaultOwner !== undefined && input.ownerId === undefined) input.ownerId = defaultOwner;
    if (problems.length > 0) {
      return {
        errors: problems.map((p) => ({
          line: row.line,
          column: mapping.columnOf(p.field),
          field: p.field,
          code: 'VALIDATION',
          message: p.message,
        })),
      };
    }
    return { input };
  };
  const upsertRow = async (
    target: CrmScope,
    resolve: ReturnType<typeof referenceResolver>,
    row: CsvRow,
  ) => {
    const prepared = prepare(row);
    if (prepared.errors) return prepared.errors;
    try {
      await resolve(prepared.input);
      const result = await repositoryOf(target, object).upsert(prepared.input);
      if (result.created) created++;
      else updated++;
      return undefined;
    } catch (error) {
      return rowErrors(error, row.line, mapping);
    }
  };
  const progress = () => options.onProgress?.(rows, csv.progress());

  if (!options.skipInvalid) {
    // Throwing inside the transaction rolls every row back.
    await scope.transaction(async (tx) => {
      const resolve = referenceResolver(tx, object);
      for await (const row of csv.rows) {
        rows++;
        const failed = await upsertRow(tx, resolve, row);
        if (failed) {
          rejected++;
          if (errors.length < maxReportedErrors) errors.push(...failed);
          // A database error aborts a Postgres transaction: nothing more can be checked.
          if (!failed.every((e) => e.code === 'VALIDATION')) break;
        }
        progress();
      }
      if (rejected > 0) throw new ImportRejected(options.file, errors, rejected);
    });
    return { rows, created, updated, rejected, errors };
  }

  const batchSize = options.batchSize ?? 500;
  const errorRows: ErrorRowWriter | undefined = options.errorsFile
    ? openErrorRows(options.errorsFile, csv.header)
    : undefined;
  const resolve = referenceResolver(scope, object);
  const reject = async (row: CsvRow, failed: RowError[]) => {
    rejected++;
    if (errors.length < maxReportedErrors) errors.push(...failed);
    await errorRows?.write(row, failed);
  };
  const runBatch = async (batch: CsvRow[]) => {
    const before = { created, updated };
    try {
      await scope.transaction(async (tx) => {
        const txResolve = referenceResolver(tx, object);
        for (const row of batch) {
          const failed = await upsertRow(tx, txResolve, row);
          if (failed) throw new BatchFailed();
        }
      });
      return;
    } catch (error) {
      if (!(error instanceof BatchFailed)) throw error;
    }
    // The batch rolled back: replay it row by row, each in its own transaction.
    created = before.created;
    updated = before.updated;
    for (const row of batch) {
      const failed = await upsertRow(scope, resolve, row);
      if (failed) await reject(row, failed);
    }
  };
  try {
    let batch: CsvRow[] = [];
    for await (const row of csv.rows) {
      rows++;
      batch.push(row);
      if (batch.length >= batchSize) {
        await runBatch(batch);
        batch = [];
      }
      progress();
    }
    if (batch.length > 0) await runBatch(batch);
  } finally {
    await errorRows?.close();
  }
  return { rows, created, updated, rejected, errors };
}

class BatchFailed extends Error {}

async function resolveOwner(
  scope: CrmScope,
  object: ObjectName,
  owner: string | undefined,
): Promise<string | undefined> {
  if (owner === undefined) return undefined;
  if (!('ownerId' in standardObjects[object].fields.shape)) {
    throw new UsageError(`--owner: ${object} records have no owner`);
  }
  const user = (await scope.users.find(owner)) ?? (await scope.users.findByExternalId(owner));
  if (!user) throw new InputError(`--owner: no user with id or external id "${owner}"`);
  return user.id;
}
