import type { Kysely } from 'kysely';
import { coreDbOf, dbOf, type ScopeState } from '../engine/engine-state.js';
import { decodeRow } from '../engine/record-codec.js';
import { updateUpkeep } from '../engine/record-upkeep.js';
import { leadObject } from '../objects/standard-objects.js';
import type { AnyDatabase } from '../storage/migration-context.js';

// A lead's `convertedOpportunityStatus`, `convertedOpportunityAmount` and
// `convertedOpportunityCurrency`: what its converted opportunity has now, kept on the lead so a
// rollup of leads can count the won ones and sum their amounts (lead-to-won rate, revenue per
// lead) without joining the deals. Unlike `firstActivityAt` it is written through the upkeep, as an update of the lead, so
// the rollups that read it stay exact in the write's own transaction.

/** The fields of a lead kept from its converted opportunity, and the deal's field each copies. */
const keptFromDeal = {
  convertedOpportunityStatus: 'status',
  convertedOpportunityAmount: 'amount',
  convertedOpportunityCurrency: 'currency',
} as const;

/** @internal What a lead keeps of its converted opportunity (all null without one). */
export type ConvertedDeal = {
  -readonly [K in keyof typeof keptFromDeal]: unknown;
};

const noDeal: ConvertedDeal = {
  convertedOpportunityStatus: null,
  convertedOpportunityAmount: null,
  convertedOpportunityCurrency: null,
};

/** What a lead keeps of this deal row. */
function keptOf(deal: Readonly<Record<string, unknown>>): ConvertedDeal {
  return {
    convertedOpportunityStatus: deal.status ?? null,
    convertedOpportunityAmount: deal.amount ?? null,
    convertedOpportunityCurrency: deal.currency ?? null,
  };
}

/**
 * @internal Recomputes what every lead (of one tenant with a tenant id) keeps of its converted
 * opportunity: its status, amount and currency, null without one. For rows written below the
 * engine (`refreshKeptValues`, the migration that added the columns).
 */
export async function refreshConvertedStatuses(
  db: Kysely<AnyDatabase>,
  tenantId: string | undefined,
): Promise<void> {
  const dealField = (field: string) =>
    db
      .selectFrom('opportunities as kDeal')
      .select(`kDeal.${field}`)
      .whereRef('kDeal.tenantId', '=', 'leads.tenantId')
      .whereRef('kDeal.id', '=', 'leads.convertedOpportunityId');
  let query = db.updateTable('leads').set({
    convertedOpportunityStatus: dealField(keptFromDeal.convertedOpportunityStatus),
    convertedOpportunityAmount: dealField(keptFromDeal.convertedOpportunityAmount),
    convertedOpportunityCurrency: dealField(keptFromDeal.convertedOpportunityCurrency),
  });
  if (tenantId !== undefined) query = query.where('tenantId', '=', tenantId);
  await query.execute();
}

/**
 * @internal What a lead converted with `opportunityId` keeps of it (null without one), read
 * while the deal is held `FOR SHARE` where transactions run side by side: a concurrent status
 * change of the deal either committed before (this read sees it) or waits for this write to
 * commit and then finds the lead among the deal's converted leads ({@link keepConvertedDeals}).
 */
export async function convertedDealOf(
  state: ScopeState,
  opportunityId: unknown,
): Promise<ConvertedDeal> {
  if (opportunityId === null || opportunityId === undefined) return noDeal;
  let query = coreDbOf(state)
    .selectFrom('opportunities')
    .select(['status', 'amount', 'currency'])
    .where('tenantId', '=', state.tenantId)
    .where('id', '=', String(opportunityId));
  if (state.engine.storage.concurrentTransactions) query = query.forShare();
  const row = await query.executeTakeFirst();
  return row ? keptOf(row) : noDeal;
}

/** Whether a deal write changed what its converted leads keep. */
export function movesConvertedLeads(
  record: Readonly<Record<string, unknown>>,
  previous: Readonly<Record<string, unknown>>,
): boolean {
  return Object.values(keptFromDeal).some((field) => record[field] !== previous[field]);
}

/**
 * @internal Keeps what the leads converted with an opportunity keep of it after a write changed
 * its status, amount or currency: each lead whose kept values differ is written as an update of the lead
 * (its rollup contribution moves from the old status to the new one in this transaction, and its
 * version moves on, so a concurrent update that read the lead before gets CONFLICT), as
 * `keepMainProduct` writes a deal's main product. The leads are read locked from the database
 * (not the transaction's cache), through the `(tenantId, convertedOpportunityId)` index.
 */
export async function keepConvertedDeals(
  state: ScopeState,
  deal: Readonly<Record<string, unknown>> & { readonly id: string },
): Promise<void> {
  const opportunityId = deal.id;
  const kept = keptOf(deal);
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
    const changed = Object.keys(kept).some(
      (field) => (previous[field] ?? null) !== kept[field as keyof ConvertedDeal],
    );
    if (!changed) continue;
    const upkeep = await updateUpkeep(state, leadObject, previous, kept, false);
    cache?.markWritten('leads');
    cache?.forgetRecord('leads', previous.id);
    try {
      await dbOf(state)
        .updateTable('leads')
        // No version bump: the fields are hidden, and a version that moved with a deal the lead's
        // reader may not see would tell them when it changed. Nothing needs it: a converted lead
        // is frozen but for personal fields, which no rollup reads, and an update writes only the
        // columns it changes.
        .set(kept)
        .where('tenantId', '=', state.tenantId)
        .where('id', '=', previous.id)
        .execute();
    } catch (error) {
      // Where the failed statement left the transaction usable (SQLite), the kept data must be whole.
      await upkeep.restore().catch(() => undefined);
      throw error;
    }
    await upkeep.done({ ...previous, ...kept });
  }
}
