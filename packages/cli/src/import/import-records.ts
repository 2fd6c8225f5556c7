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
  upsertMany(inputs: readonly Record<string, unknown>[]): Promise<{
    readonly created: number;
    readonly updated: number;
    readonly unchanged: number;
  }>;
  find(id: string): Promise<{ readonly id: string } | undefined>;
  findByExternalId(externalId: string): Promise<{ readonly id: string } | undefined>;
}

function repositoryOf(scope: CrmScope, object: ObjectName): Upserter {
  // The repositories are typed per object; an import picks its object at run time, and the engine
  // validates every input with the object's schema, so the erased view is safe here.
  return scope[repositoryKey(object)] as unknown as Upserter;
}

const maxReportedErrors = 20;
// After this many bad rows in one batch, the rest of the batch goes row by row: cheaper than
// replaying a large batch once per bad row.
const maxReplays = 5;

/** A row ready to upsert, with where it came from. */
interface PreparedRow {
  readonly row: CsvRow;
  readonly input: Record<string, unknown>;
}

/**
 * The rows an engine error is about: bulk writes put the input's index first in every issue
 * path (or, for errors without issues, `[index]` first in the message).
 */
function failedRows(
  error: unknown,
  batch: readonly PreparedRow[],
  mapping: ColumnMapping,
): Map<number, RowError[]> | undefined {
  if (!isRapportError(error)) return undefined;
  const failures = new Map<number, RowError[]>();
  const add = (index: number, rowError: Omit<RowError, 'line'>) => {
    const prepared = batch[index];
    if (!prepared) return;
    const list = failures.get(index) ?? [];
    list.push({ ...rowError, line: prepared.row.line });
    failures.set(index, list);
  };
  for (const issue of error.issues) {
    const [index, ...path] = issue.path;
    if (typeof index !== 'number') return undefined;
    const field = path.length > 0 ? path.join('.') : undefined;
    const head = path[0] === 'custom' ? `custom.${String(path[1])}` : String(path[0] ?? '');
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    add(index, {
      column: mapping.columnOf(head),
      field,
      code: error.code,
      message: missing ? 'is required (the cell is empty or no column fills it)' : issue.message,
    });
  }
  if (error.issues.length === 0) {
    const index = /^\[(\d+)\]/.exec(error.message)?.[1];
    if (index === undefined) return undefined;
    add(Number(index), {
      column: undefined,
      field: undefined,
      code: error.code,
      message: error.message.replace(/^\[\d+\]\s*/, ''),
    });
  }
  return failures.size > 0 ? failures : undefined;
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

/** Counts of written rows. */
interface Tally {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Upserts a batch in `target` (its own transaction, or part of the caller's). Rows the engine
 * rejects are taken out and the rest replayed, so the result says which rows failed and why;
 * after {@link maxReplays} failures the remaining rows go one by one.
 */
async function upsertBatch(
  target: CrmScope,
  object: ObjectName,
  batch: readonly PreparedRow[],
  mapping: ColumnMapping,
  tally: Tally,
  stopAfter: number,
): Promise<{ failed: { row: CsvRow; errors: RowError[] }[]; fatal: boolean }> {
  const repository = repositoryOf(target, object);
  const failed: { row: CsvRow; errors: RowError[] }[] = [];
  let pending = [...batch];
  let replays = 0;
  while (pending.length > 0 && failed.length < stopAfter) {
    if (replays >= maxReplays) {
      for (const prepared of pending) {
        if (failed.length >= stopAfter) break;
        const result = await upsertBatch(target, object, [prepared], mapping, tally, 1);
        failed.push(...result.failed);
        if (result.fatal) return { failed, fatal: true };
      }
      return { failed, fatal: false };
    }
    try {
      const result = await repository.upsertMany(pending.map((p) => p.input));
      tally.created += result.created;
      tally.updated += result.updated;
      tally.unchanged += result.unchanged;
      return { failed, fatal: false };
    } catch (error) {
      const failures = failedRows(error, pending, mapping);
      if (!failures) {
        if (!isRapportError(error)) throw error;
        // Not about one row (a storage conflict): blame the batch's first row if it is alone.
        if (pending.length > 1) {
          replays = maxReplays;
          continue;
        }
        const row = pending[0]?.row;
        if (!row) throw error;
        failed.push({
          row,
          errors: [
            {
              line: row.line,
              column: undefined,
              field: undefined,
              code: error.code,
              message: error.message,
            },
          ],
        });
        return { failed, fatal: error.code !== 'VALIDATION' };
      }
      for (const [index, errors] of failures) {
        const row = pending[index]?.row;
        if (row) failed.push({ row, errors });
      }
      if (
        !failures
          .values()
          .next()
          .value?.every((e) => e.code === 'VALIDATION')
      ) {
        return { failed, fatal: true };
      }
      pending = pending.filter((_, index) => !failures.has(index));
      replays++;
    }
  }
  return { failed, fatal: false };
}

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
  const csv = await openCsv(options.file);
  const mapping = buildColumnMapping(object, csv.header, options);
  const baseCurrency = (await scope.settings()).baseCurrency;
  const defaultOwner = await resolveOwner(scope, object, options.owner);
  const batchSize = options.batchSize ?? 500;
  const errors: RowError[] = [];
  const tally: Tally = { created: 0, updated: 0, unchanged: 0 };
  let rows = 0;
  let rejected = 0;
  const errorRows: ErrorRowWriter | undefined =
    options.skipInvalid && options.errorsFile
      ? openErrorRows(options.errorsFile, csv.header)
      : undefined;
  const reject = async (row: CsvRow, failed: readonly RowError[]) => {
    rejected++;
    if (errors.length < maxReportedErrors) errors.push(...failed);
    await errorRows?.write(row, failed);
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
      const { input, problems } = rowToInput(object, mapping, row.values, baseCurrency);
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
      // A repeated external id updates the record its first row made: in a later batch.
      const externalId = String(input.externalId ?? '');
      if (externalIds.has(externalId) || batch.rows.length >= batchSize) {
        yield batch;
        batch = { rows: [], spoiled: [] };
        externalIds = new Set();
      }
      externalIds.add(externalId);
      batch.rows.push({ row, input });
    }
    if (batch.rows.length > 0 || batch.spoiled.length > 0) yield batch;
  }
  const settle = async (target: CrmScope, batch: Batch, stopAfter: number) => {
    const result =
      batch.rows.length > 0 && stopAfter > 0
        ? await upsertBatch(target, object, batch.rows, mapping, tally, stopAfter)
        : { failed: [], fatal: false };
    const failed = [...batch.spoiled, ...result.failed].sort((a, b) => a.row.line - b.row.line);
    for (const { row, errors: rowErrors } of failed) await reject(row, rowErrors);
    return result.fatal;
  };

  try {
    if (!options.skipInvalid) {
      // Throwing inside the transaction rolls every row back.
      await scope.transaction(async (tx) => {
        for await (const batch of batches(referenceResolver(tx, object))) {
          // A database error aborts a Postgres transaction: nothing more can be checked.
          if (await settle(tx, batch, maxReportedErrors - rejected)) break;
          if (rejected >= maxReportedErrors) break;
        }
        if (rejected > 0) throw new ImportRejected(options.file, byLine(errors), rejected);
      });
    } else {
      for await (const batch of batches(referenceResolver(scope, object))) {
        await settle(scope, batch, batch.rows.length);
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
  };
}

/** Errors in file order (rows the CSV already spoils are found before a batch is sent). */
function byLine(errors: readonly RowError[]): RowError[] {
  return [...errors].sort((a, b) => a.line - b.line);
}

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
