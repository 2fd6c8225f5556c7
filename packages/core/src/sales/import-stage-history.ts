import { z } from 'zod';
import { coreDbOf, dbOf, nowOf, type ScopeState } from '../engine/engine-state.js';
import { decodeRow } from '../engine/record-codec.js';
import { rewriteUpkeep } from '../engine/record-upkeep.js';
import type { StoredRecord } from '../engine/stored-record.js';
import { inTransaction } from '../engine/transaction.js';
import { requireAdmin, visibilityCondition } from '../engine/visibility.js';
import { insertRecords } from '../engine/write/create-records.js';
import { RapportError, type RapportIssue } from '../errors/rapport-error.js';
import { newId } from '../ids/id.js';
import {
  dateSchema,
  idSchema,
  minorUnitsSchema,
  percentSchema,
  plainText,
  timestampSchema,
} from '../objects/field-schemas.js';
import { opportunityObject, stageHistoryObject } from '../objects/standard-objects.js';
import { keepStageExits, lockRows } from './kept-values.js';
import { type PipelineStage, pipelineStages } from './pipeline-stages.js';

/**
 * One change of a deal as a source system's history has it (Salesforce OpportunityHistory, a
 * HubSpot or Pipedrive deal stage log). What is left out carries on from the change before (the
 * first change: from the deal); probability and forecast category default to the stage's.
 *
 * @example
 * const change: StageHistoryEntry = { opportunityId: deal.id, stage: 'Qualify', changedAt: '2018-02-01T10:00:00Z', amount: 120_000 };
 */
export interface StageHistoryEntry {
  /** The deal (its id). */
  readonly opportunityId: string;
  /** A stage of the deal's pipeline. */
  readonly stage: string;
  /** When the deal entered this state (ISO 8601 with offset, not in the future). */
  readonly changedAt: string;
  /** The amount then, in minor units of the deal's currency. */
  readonly amount?: number | null;
  /** The probability then (0..100). */
  readonly probability?: number;
  /** The expected close date then. */
  readonly closeDate?: string;
  /** Who made the change in the source system. */
  readonly changedBy?: string;
}

/**
 * What `opportunities.importStageHistory` did.
 *
 * @example
 * const { created, unchanged } = await scope.opportunities.importStageHistory(changes);
 */
export interface StageHistoryImportResult {
  /** History entries written for changes not imported before. */
  readonly created: number;
  /** Entries rewritten: a change imported again with other values, or whose predecessor changed. */
  readonly updated: number;
  /** Entries already as the import says. */
  readonly unchanged: number;
  /** Entries the engine wrote when a deal was created, replaced by the imported history. */
  readonly replaced: number;
}

const entrySchema = z.strictObject({
  opportunityId: idSchema,
  stage: plainText.min(1).max(255),
  changedAt: timestampSchema,
  amount: minorUnitsSchema.nullable().optional(),
  probability: percentSchema.optional(),
  closeDate: dateSchema.optional(),
  changedBy: plainText.min(1).max(255).optional(),
});

type ParsedEntry = z.output<typeof entrySchema> & { readonly index: number };

/** The imported entries of one deal, in time order. */
interface DealChanges {
  readonly deal: StoredRecord;
  readonly stages: readonly PipelineStage[];
  readonly entries: ParsedEntry[];
}

/** Marks an entry as imported, and keys it: one entry per deal and instant. */
const importKey = (opportunityId: string, changedAt: string) => `${opportunityId}@${changedAt}`;

const compared = [
  'stage',
  'previousStage',
  'status',
  'amount',
  'previousAmount',
  'currency',
  'probability',
  'previousProbability',
  'forecastCategory',
  'closeDate',
  'previousCloseDate',
] as const;

function fail(issues: RapportIssue[]): never {
  const shown = issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new RapportError('VALIDATION', `stageHistory: ${shown.join('; ')}`, {
    object: stageHistoryObject.name,
    issues: issues.slice(0, 100),
  });
}

/** Parses every entry and groups them by deal (deal visible, stage of its pipeline, no repeats). */
async function changesByDeal(
  state: ScopeState,
  inputs: readonly unknown[],
): Promise<DealChanges[]> {
  const issues: RapportIssue[] = [];
  const now = nowOf(state).getTime();
  const byDeal = new Map<string, DealChanges | null>();
  const parsedInputs = inputs.map((input) => entrySchema.safeParse(input));
  const dealIds = new Set<string>();
  for (const parsed of parsedInputs) if (parsed.success) dealIds.add(parsed.data.opportunityId);
  const deals = new Map(
    (await recordsWhereIn(state, opportunityObject, 'id', [...dealIds])).map((deal) => [
      deal.id,
      deal,
    ]),
  );
  for (const [index, parsed] of parsedInputs.entries()) {
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({
          path: [index, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
          code: issue.code,
          message: issue.message,
        });
      }
      continue;
    }
    const entry = { ...parsed.data, index };
    if (new Date(entry.changedAt).getTime() > now) {
      issues.push({ path: [index, 'changedAt'], code: 'future', message: 'is in the future' });
      continue;
    }
    let changes = byDeal.get(entry.opportunityId);
    if (changes === undefined) {
      const deal = deals.get(entry.opportunityId);
      changes = deal
        ? { deal, stages: await pipelineStages(state, String(deal.pipelineId)), entries: [] }
        : null;
      byDeal.set(entry.opportunityId, changes);
    }
    if (!changes) {
      issues.push({
        path: [index, 'opportunityId'],
        code: 'unknown_reference',
        message: `references no opportunity ${entry.opportunityId} you can see`,
      });
      continue;
    }
    if (!changes.stages.some((stage) => stage.name === entry.stage)) {
      issues.push({
        path: [index, 'stage'],
        code: 'unknown_stage',
        message: `${entry.stage} is not a stage of pipeline ${String(changes.deal.pipelineId)}`,
      });
      continue;
    }
    const twin = changes.entries.find((other) => other.changedAt === entry.changedAt);
    if (twin) {
      issues.push({
        path: [index, 'changedAt'],
        code: 'duplicate_change',
        message: `repeats the change of input ${twin.index} (one change per deal and instant)`,
      });
      continue;
    }
    changes.entries.push(entry);
  }
  if (issues.length > 0) fail(issues);
  const found = [...byDeal.values()].filter((changes): changes is DealChanges => !!changes);
  for (const changes of found)
    changes.entries.sort((a, b) => a.changedAt.localeCompare(b.changedAt));
  return found;
}

/**
 * The records of an object whose `column` is one of `values` (tenant and visibility applied), in
 * chunks of 500 values per query.
 */
async function recordsWhereIn(
  state: ScopeState,
  definition: typeof opportunityObject | typeof stageHistoryObject,
  column: 'id' | 'opportunityId',
  values: readonly string[],
): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  const visible = await visibilityCondition(state, definition, 't');
  const dialect = state.engine.storage.sql;
  for (let start = 0; start < values.length; start += 500) {
    let query = dbOf(state)
      .selectFrom(`${definition.table} as t`)
      .selectAll('t')
      .where('t.tenantId', '=', state.tenantId)
      .where(`t.${column}`, 'in', values.slice(start, start + 500));
    if (visible) query = query.where(visible);
    for (const row of await query.execute()) records.push(decodeRow(dialect, definition, row));
  }
  return records;
}

const sameValue = (a: unknown, b: unknown) =>
  a == null || b == null ? a == null && b == null : String(a) === String(b);
const instant = (value: unknown) => new Date(String(value)).getTime();

/** The fields of a history row that are not about the change before it. */
const ownFields = [
  'opportunityId',
  'stage',
  'status',
  'amount',
  'currency',
  'probability',
  'forecastCategory',
  'closeDate',
] as const;

/** The own values of an imported change: what it leaves out carries on from the one before. */
function entryValues(
  deal: StoredRecord,
  stages: readonly PipelineStage[],
  entry: ParsedEntry,
  before: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const stage = stages.find((s) => s.name === entry.stage);
  if (!stage) throw new Error(`stage ${entry.stage} was checked against the pipeline`);
  return {
    opportunityId: deal.id,
    stage: entry.stage,
    status: stage.status,
    amount:
      entry.amount !== undefined ? entry.amount : before ? before.amount : (deal.amount ?? null),
    currency: deal.currency,
    probability: entry.probability ?? stage.probability,
    forecastCategory: stage.forecastCategory,
    closeDate: entry.closeDate ?? before?.closeDate ?? deal.closeDate,
  };
}

/** One row of the deal's history as it should be. */
interface WantedRow {
  readonly id: string;
  readonly externalId: string | null;
  readonly createdAt: string;
  readonly createdBy: string | undefined;
  readonly values: Record<string, unknown>;
  readonly stored: StoredRecord | undefined;
}

/**
 * Rewrites one deal's history: the imported changes merged with the stored ones by instant (an
 * imported change replaces the one imported before at the same instant; the entry the engine
 * wrote when the deal was created gives way to the imported history; later changes made in
 * Rapport stay), the previous values chained again. Rows already right are not written.
 */
function planDeal(
  changes: DealChanges,
  stored: readonly StoredRecord[],
  counts: { created: number; updated: number; unchanged: number; replaced: number },
): { removed: StoredRecord[]; stale: WantedRow[] } {
  const { deal, stages, entries } = changes;
  const storedByKey = new Map(stored.map((row) => [String(row.externalId), row]));
  const imported = new Set(entries.map((entry) => importKey(deal.id, entry.changedAt)));
  const creation = stored.filter((row) => row.externalId == null && row.previousStage == null);
  const kept = stored.filter(
    (row) => !creation.includes(row) && !imported.has(String(row.externalId)),
  );
  type Step =
    | { readonly at: string; readonly entry: ParsedEntry; readonly row?: undefined }
    | { readonly at: string; readonly entry?: undefined; readonly row: StoredRecord };
  const steps: Step[] = [
    ...kept.map((row): Step => ({ at: new Date(String(row.createdAt)).toISOString(), row })),
    ...entries.map((entry): Step => ({ at: entry.changedAt, entry })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const wanted: WantedRow[] = [];
  let before: Record<string, unknown> | undefined;
  for (const step of steps) {
    const values = step.entry
      ? entryValues(deal, stages, step.entry, before)
      : Object.fromEntries(ownFields.map((field) => [field, step.row[field]]));
    values.previousStage = before?.stage ?? null;
    values.previousAmount = before ? (before.amount ?? null) : null;
    values.previousProbability = before?.probability ?? null;
    values.previousCloseDate = before?.closeDate ?? null;
    const key = step.entry ? importKey(deal.id, step.entry.changedAt) : null;
    const existing = key ? storedByKey.get(key) : step.row;
    wanted.push({
      id: existing?.id ?? newId(instant(step.at)),
      externalId: key ?? (step.row?.externalId == null ? null : String(step.row.externalId)),
      createdAt: step.at,
      createdBy: step.entry?.changedBy ?? (existing ? String(existing.createdBy) : undefined),
      values,
      stored: existing,
    });
    before = values;
  }
  const stale = wanted.filter(
    (row) =>
      !row.stored ||
      instant(row.stored.createdAt) !== instant(row.createdAt) ||
      compared.some((field) => !sameValue(row.stored?.[field], row.values[field])),
  );
  // The creation entries are never kept: each gives way to the imported history.
  const unwanted = creation;
  const removed = [...unwanted, ...stale.flatMap((row) => (row.stored ? [row.stored] : []))];
  counts.replaced += unwanted.length;
  counts.updated += stale.filter((row) => row.stored).length;
  counts.created += stale.filter((row) => !row.stored).length;
  counts.unchanged += wanted.length - stale.length;
  return { removed, stale };
}

/**
 * @internal The public `opportunities.importStageHistory`: admins only; all or nothing in one
 * transaction; VALIDATION (paths start with the entry's index) for an unknown deal, a stage not
 * in the deal's pipeline, a change in the future or two changes of a deal at one instant.
 * Importing the same changes again writes nothing; importing them in parts gives the same history.
 */
export async function importStageHistory(
  state: ScopeState,
  inputs: readonly unknown[],
): Promise<StageHistoryImportResult> {
  requireAdmin(state, 'import stage history');
  return inTransaction(state, async (tx) => {
    const deals = await changesByDeal(tx, inputs);
    const counts = { created: 0, updated: 0, unchanged: 0, replaced: 0 };
    const history = new Map<string, StoredRecord[]>();
    const stored = await recordsWhereIn(
      tx,
      stageHistoryObject,
      'opportunityId',
      deals.map((changes) => changes.deal.id),
    );
    for (const row of stored) {
      const key = String(row.opportunityId);
      const list = history.get(key);
      if (list) list.push(row);
      else history.set(key, [row]);
    }
    const removed: string[] = [];
    const stale: WantedRow[] = [];
    for (const changes of deals) {
      const stored = (history.get(changes.deal.id) ?? []).sort(
        (a, b) => instant(a.createdAt) - instant(b.createdAt),
      );
      const plan = planDeal(changes, stored, counts);
      removed.push(...plan.removed.map((row) => row.id));
      stale.push(...plan.stale);
    }
    const changed = deals.map((changes) => changes.deal.id);
    // Every writer of a deal's history holds the deal's row (the facts rollups move by what the
    // raw delete and the rewrite of exits change); a deal cached before the lock is read again.
    if (removed.length > 0 || stale.length > 0) {
      await lockRows(tx, 'opportunities', changed);
      for (const id of changed) tx.tx?.cache.forgetRecord('opportunities', id);
    }
    const deleted = removed.length > 0 ? changed : [];
    const upkeep = await rewriteUpkeep(tx, stageHistoryObject, 'opportunityId', deleted);
    // History rows are the engine's own (no hooks, no versions): rewritten, not updated.
    for (let start = 0; start < removed.length; start += 500) {
      await coreDbOf(tx)
        .deleteFrom('stageHistory')
        .where('tenantId', '=', tx.tenantId)
        .where('id', 'in', removed.slice(start, start + 500))
        .execute();
    }
    await upkeep.done();
    if (removed.length > 0) tx.tx?.cache.forgetTable('stageHistory');
    if (stale.length > 0) {
      await insertRecords(
        tx,
        stageHistoryObject,
        stale.map((row) => ({
          values: row.values,
          meta: {
            id: row.id,
            externalId: row.externalId,
            custom: {},
            createdAt: row.createdAt,
            createdBy: row.createdBy,
          },
        })),
      );
    }
    // Each rewritten deal's entries know again when they were left and whether the deal advanced.
    if (removed.length > 0 || stale.length > 0) await keepStageExits(tx, changed);
    return counts;
  });
}
