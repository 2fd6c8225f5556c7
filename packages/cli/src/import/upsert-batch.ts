import type { CrmScope, ObjectName } from '@rapport/core';
import { isRapportError } from '@rapport/core';
import { repositoryKey } from '../objects/object-name.js';
import type { ColumnMapping } from './column-mapping.js';
import type { CsvRow } from './csv-rows.js';
import type { LeadConversion } from './history-import.js';
import type { RowError } from './import-records.js';

/** @internal What an import needs of a repository. */
export interface Upserter {
  upsertMany(
    inputs: readonly Record<string, unknown>[],
    options?: { readonly history?: boolean },
  ): Promise<{
    readonly created: number;
    readonly updated: number;
    readonly unchanged: number;
  }>;
  find(id: string): Promise<{ readonly id: string } | undefined>;
  findByExternalId(externalId: string): Promise<{ readonly id: string } | undefined>;
}

/** @internal A repository with its record type erased. */
export function repositoryOf(scope: CrmScope, object: ObjectName): Upserter {
  // The repositories are typed per object; an import picks its object at run time, and the engine
  // validates every input with the object's schema, so the erased view is safe here.
  return scope[repositoryKey(object)] as unknown as Upserter;
}

// After this many bad rows in one batch, the rest of the batch goes row by row: cheaper than
// replaying a large batch once per bad row.
const maxReplays = 5;
/** A row ready to upsert, with where it came from. */
export interface PreparedRow {
  readonly row: CsvRow;
  readonly input: Record<string, unknown>;
  /** The lead conversion the row asks for (history import). */
  readonly conversion?: LeadConversion | undefined;
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

/** Counts of written rows. */
export interface Tally {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Upserts a batch in `target` (its own transaction, or part of the caller's). Rows the engine
 * rejects are taken out and the rest replayed, so the result says which rows failed and why;
 * after {@link maxReplays} failures the remaining rows go one by one. With `history`, the
 * engine's history write (each row's own `createdAt` and `createdBy`).
 */
export async function upsertBatch(
  target: CrmScope,
  object: ObjectName,
  batch: readonly PreparedRow[],
  mapping: ColumnMapping,
  tally: Tally,
  stopAfter: number,
  history = false,
): Promise<{ failed: { row: CsvRow; errors: RowError[] }[]; fatal: boolean }> {
  const repository = repositoryOf(target, object);
  const failed: { row: CsvRow; errors: RowError[] }[] = [];
  let pending = [...batch];
  let replays = 0;
  while (pending.length > 0 && failed.length < stopAfter) {
    if (replays >= maxReplays) {
      for (const prepared of pending) {
        if (failed.length >= stopAfter) break;
        const result = await upsertBatch(target, object, [prepared], mapping, tally, 1, history);
        failed.push(...result.failed);
        if (result.fatal) return { failed, fatal: true };
      }
      return { failed, fatal: false };
    }
    try {
      const result = await repository.upsertMany(
        pending.map((p) => p.input),
        history ? { history: true } : undefined,
      );
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
        const prepared = pending[index];
        if (prepared) failed.push({ row: prepared.row, errors });
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
