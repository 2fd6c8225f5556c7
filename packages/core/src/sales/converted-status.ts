import type { Kysely } from 'kysely';
import { coreDbOf, dbOf, type ScopeState } from '../engine/engine-state.js';
import { decodeRow } from '../engine/record-codec.js';
import { updateUpkeep } from '../engine/record-upkeep.js';
import { leadObject } from '../objects/standard-objects.js';
import type { AnyDatabase } from '../storage/migration-context.js';

// A lead's `convertedOpportunityStatus`: the status its converted opportunity has now, kept on
// the lead so a rollup of leads can count the won ones (lead-to-won rate) without joining the
// deals. Unlike `firstActivityAt` it is written through the upkeep, as an update of the lead, so
// the rollups that read it stay exact in the write's own transaction.

/**
 * @internal Recomputes `convertedOpportunityStatus` of every lead (of one tenant with a tenant
 * id): the status of its converted opportunity, null without one. For rows written below the
 * engine (`refreshKeptValues`, the migration that added the column).
 */
export async function refreshConvertedStatuses(
  db: Kysely<AnyDatabase>,
  tenantId: string | undefined,
): Promise<void> {
  let query = db.updateTable('leads').set({
    convertedOpportunityStatus: db
      .selectFrom('opportunities as kDeal')
      .select('kDeal.status')
      .whereRef('kDeal.tenantId', '=', 'leads.tenantId')
      .whereRef('kDeal.id', '=', 'leads.convertedOpportunityId'),
  });
  if (tenantId !== undefined) query = query.where('tenantId', '=', tenantId);
  await query.execute();
}

/**
 * @internal The status a lead converted with `opportunityId` keeps (null without one), read
 * while the deal is held `FOR SHARE` where transactions run side by side: a concurrent status
 * change of the deal either committed before (this read sees it) or waits for this write to
 * commit and then finds the lead among the deal's converted leads ({@link keepConvertedStatuses}).
 */
export async function convertedStatusOf(
  state: ScopeState,
  opportunityId: unknown,
): Promise<string | null> {
  if (opportunityId === null || opportunityId === undefined) return null;
  let query = coreDbOf(state)
    .selectFrom('opportunities')
    .select('status')
    .where('tenantId', '=', state.tenantId)
    .where('id', '=', String(opportunityId));
  if (state.engine.storage.concurrentTransactions) query = query.forShare();
  const row = await query.executeTakeFirst();
  return row ? String(row.status) : null;
}

/**
 * @internal Keeps the converted status of the leads converted with an opportunity after a write
 * changed its status: each lead whose kept status differs is written as an update of the lead
 * (its rollup contribution moves from the old status to the new one in this transaction, and its
 * version moves on, so a concurrent update that read the lead before gets CONFLICT), as
 * `keepMainProduct` writes a deal's main product. The leads are read locked from the database
 * (not the transaction's cache), through the `(tenantId, convertedOpportunityId)` index.
 */
export async function keepConvertedStatuses(
  state: ScopeState,
  opportunityId: string,
  status: string,
): Promise<void> {
  let query = dbOf(state)
    .selectFrom('leads')
    .selectAll()
    .where('tenantId', '=', state.tenantId)
    .where('convertedOpportunityId', '=', opportunityId)
    .orderBy('id');
  // Not FOR UPDATE: the lead's foreign keys may hold key-share locks that FOR UPDATE conflicts with.
  if (state.engine.storage.concurrentTransactions) query = query.forNoKeyUpdate();
  const rows = await query.execute();
  const cache = state.tx?.cache;
  for (const row of rows) {
    const previous = decodeRow(state.engine.storage.sql, leadObject, row);
    if ((previous.convertedOpportunityStatus ?? null) === status) continue;
    const upkeep = await updateUpkeep(
      state,
      leadObject,
      previous,
      { convertedOpportunityStatus: status },
      false,
    );
    cache?.markWritten('leads');
    cache?.forgetRecord('leads', previous.id);
    try {
      await dbOf(state)
        .updateTable('leads')
        .set((eb) => ({ convertedOpportunityStatus: status, version: eb('version', '+', 1) }))
        .where('tenantId', '=', state.tenantId)
        .where('id', '=', previous.id)
        .execute();
    } catch (error) {
      // Where the failed statement left the transaction usable (SQLite), the kept data must be whole.
      await upkeep.restore().catch(() => undefined);
      throw error;
    }
    await upkeep.done({
      ...previous,
      convertedOpportunityStatus: status,
      version: previous.version + 1,
    });
  }
}
