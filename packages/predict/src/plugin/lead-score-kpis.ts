import { defineKpi, type KpiQueryContext, type KpiRow, kpiSource, sql } from '@rapport/core';

/** Leads still to work: neither converted nor disqualified. */
export const openLeads = kpiSource({
  object: 'lead',
  where: { status: { in: ['Open - Not Contacted', 'Working - Contacted'] } },
});

/** Won deals, for the typical deal size. */
export const wonDeals = kpiSource({ object: 'opportunity', where: { status: 'won' } });

const leadDimensions = ['owner', 'leadSource', 'campaign'] as const;

interface ScoreFacts {
  readonly key: string | null;
  readonly label: string | null;
  readonly leads: number;
  readonly scored: number;
  readonly expected: number;
}

/**
 * Open leads per group with their stored scores (the predict plugin's table through
 * `ctx.pluginTable`, which applies the tenant), once per evaluation and breakdown.
 */
function scoreFacts(ctx: KpiQueryContext): Promise<ScoreFacts[]> {
  return ctx.shared('predict.scoreFacts', async () => {
    const group = ctx.group('lead', 'l');
    // Cast: a query over the erased scoped tables returns rows of unknown columns, read by name below.
    const rows = (await (
      await ctx.source(openLeads, 'l')
    )
      .leftJoin(
        ctx.pluginTable('predictLeadScores', 'ps').select(['ps.leadId', 'ps.probability']).as('s'),
        (join) => join.onRef('s.leadId', '=', 'l.id'),
      )
      .select([
        (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
        (group ? sql`min(${group.label})` : sql`null`).as('kpiLabel'),
        sql`count(*)`.as('leads'),
        sql`count(${sql.ref('s.probability')})`.as('scored'),
        sql`coalesce(sum(${sql.ref('s.probability')}), 0)`.as('expected'),
      ])
      .groupBy(group ? sql`${group.key}` : sql`1`)
      // Raw sql columns are untyped (and numbers come back as text on Postgres): read as a
      // record and converted field by field below.
      .execute()) as Record<string, unknown>[];
    return rows.map((row) => ({
      key: row.kpiKey === null || row.kpiKey === undefined ? null : String(row.kpiKey),
      label: row.kpiLabel === null || row.kpiLabel === undefined ? null : String(row.kpiLabel),
      leads: Number(row.leads),
      scored: Number(row.scored),
      expected: Number(row.expected),
    }));
  });
}

const info = {
  group: 'predict',
  direction: 'higher',
  dimensions: leadDimensions,
  snapshot: true,
} as const;

/** Expected conversions: the sum of the open leads' stored scores. */
export const expectedConversionsKpi = defineKpi({
  ...info,
  id: 'predict.expectedConversions',
  title: { en: 'Expected conversions', de: 'Erwartete Konvertierungen' },
  description:
    'sum of the conversion probabilities of the open leads (scores stored by `rapport score leads`)',
  unit: 'number',
  reference: 'Expected value of a sum of Bernoulli outcomes; docs/predict.md',
  async query(ctx): Promise<KpiRow[]> {
    return (await scoreFacts(ctx)).map((f) => ({
      key: f.key,
      label: f.label,
      value: f.scored > 0 ? f.expected : { value: null, reason: 'no scored leads' },
      sampleSize: f.scored,
    }));
  },
});

/** Lead quality: the mean score of the open leads, per source or campaign. */
export const leadQualityKpi = defineKpi({
  ...info,
  id: 'predict.leadQuality',
  title: { en: 'Lead quality (mean score)', de: 'Lead-Qualität (mittlerer Score)' },
  description: 'mean conversion probability of the scored open leads',
  unit: 'ratio',
  reference: 'Mean predicted probability; docs/predict.md',
  async query(ctx): Promise<KpiRow[]> {
    return (await scoreFacts(ctx)).map((f) => ({
      key: f.key,
      label: f.label,
      value: f.scored > 0 ? f.expected / f.scored : { value: null, reason: 'no scored leads' },
      sampleSize: f.scored,
    }));
  },
});

/** Expected pipeline from leads: expected conversions times the mean won deal amount. */
export const expectedLeadPipelineKpi = defineKpi({
  ...info,
  id: 'predict.expectedLeadPipeline',
  title: { en: 'Expected pipeline from leads', de: 'Erwartete Pipeline aus Leads' },
  description:
    'expected conversions of the open leads times the mean amount of won deals (base currency)',
  unit: 'money',
  reference: 'Expected conversions x average deal size; docs/predict.md',
  async query(ctx): Promise<KpiRow[]> {
    // Cast: a query over the erased scoped tables returns rows of unknown columns, read by name below.
    const [won] = (await (
      await ctx.source(wonDeals, 'o')
    )
      .select([
        sql`avg(${ctx.toBase(sql.ref('o.amount'), sql.ref('o.currency'))})`.as('mean'),
        sql`count(*)`.as('deals'),
      ])
      // Raw sql columns are untyped: read as a record and converted with Number below.
      .execute()) as Record<string, unknown>[];
    const mean = won?.mean === null || won?.mean === undefined ? null : Number(won.mean);
    return (await scoreFacts(ctx)).map((f) => ({
      key: f.key,
      label: f.label,
      value:
        f.scored > 0 && mean !== null
          ? f.expected * mean
          : { value: null, reason: mean === null ? 'no won deals' : 'no scored leads' },
      sampleSize: f.scored,
    }));
  },
});
