import type { AnyDatabase } from '@rapport/core';
import { refreshKeptValues } from '@rapport/core/storage';
import type { Kysely } from 'kysely';
import type { GeneratedBatch, GeneratedTable } from './generated-rows.js';

/** Options of {@link insertGeneratedData}. */
export interface InsertGeneratedOptions {
  /** Called after each committed batch with the running totals. */
  readonly onProgress?: (table: GeneratedTable, inserted: Readonly<Record<string, number>>) => void;
}

// SQLite binds at most 32,766 parameters per statement, Postgres 65,535: stay below both.
const maxParameters = 30_000;

/**
 * Inserts generated batches raw (no validation, no hooks), one transaction per batch, skipping
 * rows whose id or external id already exists, so running it again with the same seed adds
 * nothing. Then recomputes the values the engine keeps at write time (stage exits, first
 * activities, main products) for the tenants it wrote to, as the engine's own writes would have.
 * `db` must be a kysely instance with the CamelCasePlugin over the engine's storage.
 * Returns the rows inserted per table.
 *
 * @example
 * import { CamelCasePlugin, Kysely } from 'kysely';
 * import type { AnyDatabase } from '@rapport/core/storage';
 *
 * const db = new Kysely<AnyDatabase>({ dialect: storage.dialect, plugins: [new CamelCasePlugin()] });
 * await insertGeneratedData(db, generateCrmData({ tenantId: 'acme', pipelineId, seed: 1 }));
 */
export async function insertGeneratedData(
  db: Kysely<AnyDatabase>,
  batches: AsyncIterable<GeneratedBatch> | Iterable<GeneratedBatch>,
  options: InsertGeneratedOptions = {},
): Promise<Record<string, number>> {
  const inserted: Record<string, number> = {};
  const tenants = new Set<string>();
  for await (const batch of batches) {
    const first = batch.rows[0];
    if (!first) continue;
    tenants.add(first.tenantId);
    const size = Math.max(1, Math.floor(maxParameters / Object.keys(first).length));
    let count = 0;
    await db.transaction().execute(async (trx) => {
      for (let from = 0; from < batch.rows.length; from += size) {
        const result = await trx
          .insertInto(batch.table)
          .values(batch.rows.slice(from, from + size))
          .onConflict((conflict) => conflict.doNothing())
          .executeTakeFirst();
        count += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
    });
    inserted[batch.table] = (inserted[batch.table] ?? 0) + count;
    options.onProgress?.(batch.table, inserted);
  }
  for (const tenantId of tenants) {
    await db.transaction().execute((trx) => refreshKeptValues(trx, { tenantId }));
  }
  return inserted;
}
