import {
  defineKpi,
  type KpiQueryContext,
  type KpiRange,
  type KpiRow,
  kpiFacts,
  kpiRatio,
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

/**
 * The facts of stage entries (history rows of open stages where the stage changed, or the deal
 * began), per range and group: entries, those that advanced (`advancedAt`: kept on the entry at
 * write time, the first later entry of the deal in another stage that is not lost), finished
 * stays (`exitedAt`) and their whole milliseconds. Integers, so the rollup core keeps for them
 * (`createCrm({ rollups: true })`) and the scan give the same figures.
 *
 * @example
 * const rows = await ctx.facts(stageEntryFacts);
 */
export const stageEntryFacts = kpiFacts({
  key: 'pipeline.stageEntryFacts',
  source: stageEntries,
  differ: ['previousStage', 'stage'],
  facts: {
    entered: { count: true },
    advanced: { count: 'advancedAt' },
    stays: { count: 'exitedAt' },
    milliseconds: { millisecondsBetween: ['createdAt', 'exitedAt'] },
  },
});

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
  /** Whole milliseconds of the finished stays. */
  readonly milliseconds: number;
}

const dayMilliseconds = 86_400_000;

/**
 * The facts of stage entries for both ranges and the breakdown, from their rollup or one scan
 * (`ctx.facts`). Shared by both stage KPIs, so a dashboard reads them once per breakdown.
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
            milliseconds: sum.milliseconds + group.milliseconds,
          }
        : { ...group, key: null, label: null },
    );
  }
  return [...totals.values()];
}

async function queryStageFacts(ctx: KpiQueryContext): Promise<readonly StageFacts[]> {
  return (await ctx.facts(stageEntryFacts)).map(({ range, key, label, values }) => ({
    range,
    key,
    label,
    ...values,
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
  facts: [stageEntryFacts],
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
  facts: [stageEntryFacts],
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
        // Whole milliseconds added up exactly, divided once: the same figure from rollup or scan.
        value: facts.milliseconds / (facts.stays * dayMilliseconds),
        sampleSize: facts.stays,
      }));
  },
});
