import { defineKpi, type KpiQueryContext, type KpiRow, kpiRatio, sql } from '@rapport/core';

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

/** Stage entries: history rows of open stages where the stage changed (or the deal began). */
async function entries(ctx: KpiQueryContext) {
  return (await ctx.source(stageEntries, 'h')).where(
    sql<boolean>`(${sql.ref('h.previousStage')} is null or ${sql.ref('h.previousStage')} <> ${sql.ref('h.stage')})`,
  );
}

/** Later history rows of the same opportunity in another stage. */
function laterInOtherStage(extra = sql``) {
  return sql`from ${sql.table('stageHistory')} as ${sql.ref('n')} where ${sql.ref('n.tenantId')} = ${sql.ref('h.tenantId')} and ${sql.ref('n.opportunityId')} = ${sql.ref('h.opportunityId')} and ${sql.ref('n.createdAt')} > ${sql.ref('h.createdAt')} and ${sql.ref('n.stage')} <> ${sql.ref('h.stage')}${extra}`;
}

function groupColumns(ctx: KpiQueryContext) {
  const group = ctx.group('stageHistory', 'h');
  return group
    ? [sql`${group.key}`.as('kpiKey'), sql`${group.label}`.as('kpiLabel')]
    : [sql`null`.as('kpiKey'), sql`null`.as('kpiLabel')];
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
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
  title: { en: 'Stage conversion', de: 'Stufen-Konversionsrate' },
  description:
    'entries into an open stage in the period that later moved on to another, not lost stage / all such entries (from stage history)',
  unit: 'ratio',
  direction: 'higher',
  dimensions: historyDimensions,
  reference:
    'Funnel stage conversion rate (Salesforce OpportunityHistory; HubSpot "deal stage conversion")',
  async query(ctx): Promise<KpiRow[]> {
    const advanced = sql<number>`(case when exists (select 1 ${laterInOtherStage(sql` and ${sql.ref('n.status')} <> ${'lost'}`)}) then 1 else 0 end)`;
    const inner = (await entries(ctx)).select([...groupColumns(ctx), advanced.as('kpiAdvanced')]);
    const rows = await ctx
      .selectFrom(inner.as('x'))
      .select([
        sql.ref('x.kpiKey').as('kpiKey'),
        sql`max(${sql.ref('x.kpiLabel')})`.as('kpiLabel'),
        sql`count(*)`.as('entered'),
        sql`sum(${sql.ref('x.kpiAdvanced')})`.as('advanced'),
      ])
      .groupBy('x.kpiKey')
      .execute();
    return rows.map((row) => {
      const entered = Number(row.entered);
      return {
        key: text(row.kpiKey),
        label: text(row.kpiLabel),
        value: kpiRatio(Number(row.advanced ?? 0), entered, 'no stage entries'),
        sampleSize: entered,
      };
    });
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
  title: { en: 'Average time in stage', de: 'Durchschnittliche Verweildauer je Stufe' },
  description:
    'mean days from entering an open stage (in the period) to the next change to another stage, over finished stays',
  unit: 'duration',
  direction: 'lower',
  dimensions: historyDimensions,
  reference: 'Salesforce OpportunityHistory "stage duration"; HubSpot "average time in deal stage"',
  async query(ctx): Promise<KpiRow[]> {
    const exit = sql`(select min(${sql.ref('n.createdAt')}) ${laterInOtherStage()})`;
    const inner = (await entries(ctx)).select([
      ...groupColumns(ctx),
      sql.ref('h.createdAt').as('kpiEnteredAt'),
      exit.as('kpiExitAt'),
    ]);
    const days = ctx.sql.daysBetween(sql.ref('x.kpiEnteredAt'), sql.ref('x.kpiExitAt'));
    const rows = await ctx
      .selectFrom(inner.as('x'))
      .select([
        sql.ref('x.kpiKey').as('kpiKey'),
        sql`max(${sql.ref('x.kpiLabel')})`.as('kpiLabel'),
        sql`count(*)`.as('stays'),
        sql`sum(${days})`.as('days'),
      ])
      .where(sql.ref('x.kpiExitAt'), 'is not', null)
      .groupBy('x.kpiKey')
      .execute();
    return rows.map((row) => {
      const stays = Number(row.stays);
      return {
        key: text(row.kpiKey),
        label: text(row.kpiLabel),
        value:
          stays > 0
            ? Number(row.days) / stays
            : { value: null, reason: 'no finished stays in a stage' },
        sampleSize: stays,
      };
    });
  },
});
