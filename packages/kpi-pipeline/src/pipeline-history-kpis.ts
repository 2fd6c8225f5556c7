import {
  defineKpi,
  type KpiQueryContext,
  type KpiRange,
  type KpiRow,
  kpiRatio,
  sql,
} from '@rapport/core';

import { stageEntries } from './pipeline-sources.js';

/** Dimensions of stage history KPIs (owner, account and lead source come from the opportunity). */
const historyDimensions = [
  'stage',
  'owner',
  'team',
  'product',
  'productFamily',
  'leadSource',
  'campaign',
  'accountSegment',
] as const;

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** What both stage KPIs count, per range and group. */
interface StageFacts {
  readonly range: KpiRange;
  readonly key: string | null;
  readonly label: string | null;
  /** Entries into an open stage. */
  readonly entered: number;
  /** Entries that later moved on to another stage that is not lost. */
  readonly advanced: number;
  /** Entries that later moved to another stage (finished stays). */
  readonly stays: number;
  /** Days of the finished stays. */
  readonly days: number;
}

/**
 * The facts of stage entries (history rows of open stages where the stage changed, or the deal
 * began) for both ranges and the breakdown in one scan. Whether an entry advanced and when it
 * was left are kept on the entry at write time (`advancedAt`, `exitedAt`: the first later entry
 * of the deal in another stage, not lost for `advancedAt`), so no entry looks up the rest of its
 * deal's history. Shared by both stage KPIs, so a dashboard reads the stage history once per
 * breakdown, not four times.
 */
function stageFacts(ctx: KpiQueryContext): Promise<readonly StageFacts[]> {
  // Every entry is in one group of a breakdown: the total adds the groups up.
  return ctx.sharedFacts('pipeline.stageFacts', queryStageFacts, totalOfGroups);
}

/** The total facts per range from the facts of the groups (a range without entries has none). */
function totalOfGroups(groups: readonly StageFacts[]): StageFacts[] {
  const totals = new Map<KpiRange, StageFacts>();
  for (const group of groups) {
    const sum = totals.get(group.range);
    totals.set(
      group.range,
      sum
        ? {
            ...sum,
            entered: sum.entered + group.entered,
            advanced: sum.advanced + group.advanced,
            stays: sum.stays + group.stays,
            days: sum.days + group.days,
          }
        : { ...group, key: null, label: null },
    );
  }
  return [...totals.values()];
}

async function queryStageFacts(ctx: KpiQueryContext): Promise<readonly StageFacts[]> {
  const group = ctx.group('stageHistory', 'h');
  const inner = (await ctx.source(stageEntries, 'h'))
    .where(
      sql<boolean>`(${sql.ref('h.previousStage')} is null or ${sql.ref('h.previousStage')} <> ${sql.ref('h.stage')})`,
    )
    .select([
      ctx.rangeOf(stageEntries, 'h').as('kpiRange'),
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      sql.ref('h.createdAt').as('kpiEnteredAt'),
      sql.ref('h.advancedAt').as('kpiAdvancedAt'),
      sql.ref('h.exitedAt').as('kpiExitAt'),
    ]);
  const days = ctx.sql.daysBetween(sql.ref('x.kpiEnteredAt'), sql.ref('x.kpiExitAt'));
  const x = (column: string) => sql.ref(`x.${column}`);
  const grouped = sql`(select ${x('kpiRange')} as ${sql.ref('kpiRange')}, ${x('kpiKey')} as ${sql.ref('kpiKey')}, count(*) as ${sql.ref('entered')}, count(${x('kpiAdvancedAt')}) as ${sql.ref('advanced')}, count(${x('kpiExitAt')}) as ${sql.ref('stays')}, sum(${days}) as ${sql.ref('days')} from ${inner} as ${sql.ref('x')} group by ${x('kpiRange')}, ${x('kpiKey')})`;
  // Labels once per group, after the GROUP BY.
  const label = group?.labelOf?.(sql.ref('g.kpiKey')) ?? sql.ref('g.kpiKey');
  const rows = await ctx
    .selectFrom(grouped.as<'g'>('g'))
    .selectAll('g')
    .select(sql`${label}`.as('kpiLabel'))
    .execute();
  return rows.map((row) => ({
    range: row.kpiRange === 'previous' ? 'previous' : 'current',
    key: text(row.kpiKey),
    label: text(row.kpiLabel),
    entered: Number(row.entered),
    advanced: Number(row.advanced ?? 0),
    stays: Number(row.stays ?? 0),
    days: Number(row.days ?? 0),
  }));
}

/**
 * Stage-to-stage conversion: of the opportunities that entered a stage in the period, the share
 * that later moved on to another stage that is not lost. Break down by `stage` for the funnel.
 *
 * @example
 * const { 'pipeline.stageConversion': funnel } = await scope.kpis.evaluate(['pipeline.stageConversion'], { period: '2026', by: 'stage' });
 */
export const stageConversion = defineKpi({
  id: 'pipeline.stageConversion',
  group: 'pipeline',
  title: { en: 'Stage conversion', de: 'Phasen-Konversionsrate' },
  description:
    'entries into an open stage in the period that later moved on to another, not lost stage / all such entries (from stage history)',
  unit: 'ratio',
  direction: 'higher',
  dimensions: historyDimensions,
  sources: [stageEntries],
  reference:
    'Funnel stage conversion rate (Salesforce OpportunityHistory; HubSpot "deal stage conversion")',
  bothRanges: true,
  async query(ctx): Promise<KpiRow[]> {
    return (await stageFacts(ctx)).map((facts) => ({
      range: facts.range,
      key: facts.key,
      label: facts.label,
      value: kpiRatio(facts.advanced, facts.entered, 'no stage entries'),
      sampleSize: facts.entered,
    }));
  },
});

/**
 * Average time in stage: days from entering an open stage (in the period) to leaving it, over the
 * stays that have ended. Break down by `stage`.
 *
 * @example
 * const { 'pipeline.averageTimeInStage': time } = await scope.kpis.evaluate(['pipeline.averageTimeInStage'], { by: 'stage' });
 */
export const averageTimeInStage = defineKpi({
  id: 'pipeline.averageTimeInStage',
  group: 'pipeline',
  title: { en: 'Average time in stage', de: 'Durchschnittliche Verweildauer je Phase' },
  description:
    'mean days from entering an open stage (in the period) to the next change to another stage, over finished stays',
  unit: 'duration',
  direction: 'lower',
  dimensions: historyDimensions,
  sources: [stageEntries],
  reference: 'Salesforce OpportunityHistory "stage duration"; HubSpot "average time in deal stage"',
  bothRanges: true,
  async query(ctx): Promise<KpiRow[]> {
    // A group is listed when it has finished stays (entries that were never left do not count).
    return (await stageFacts(ctx))
      .filter((facts) => facts.stays > 0)
      .map((facts) => ({
        range: facts.range,
        key: facts.key,
        label: facts.label,
        value: facts.days / facts.stays,
        sampleSize: facts.stays,
      }));
  },
});
