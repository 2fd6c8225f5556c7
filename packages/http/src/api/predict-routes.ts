import type { CrmScope, PeriodInput } from '@rapport/core';
import {
  describeFactor,
  describeRisk,
  type ForecastDealView,
  type ForecastGroup,
  predict,
  type ScopeForecast,
} from '@rapport/predict';
import { json, problems, ref } from '../openapi/common.js';
import {
  dealsQuery,
  decodeCursor,
  encodeCursor,
  type ForecastQuery,
  forecastQuery,
  forecastRouteQuery,
  maxOwners,
  parseQuery,
  scoresQuery,
} from './predict-queries.js';
import {
  dealSchema,
  exact,
  factorSchema,
  figuresSchema,
  forecastMeta,
  forecastParameters,
  fraction,
  periodSchema,
  riskSchema,
} from './predict-schemas.js';
import type { RouteTable } from './route-table.js';

function forecastOf(scope: CrmScope, query: ForecastQuery): Promise<ScopeForecast> {
  return predict(scope).forecast({
    // The engine's resolvePeriod checks the label and answers VALIDATION (422) with its path.
    ...(query.period === undefined ? {} : { period: query.period as PeriodInput }),
    ...(query.by === undefined ? {} : { by: query.by }),
    ...(query.asOf === undefined ? {} : { asOf: query.asOf }),
    // Unknown ids and ids whose deals the actor may not see are VALIDATION (422) on `owners`.
    ...(query.owners === undefined ? {} : { owners: query.owners }),
    runs: query.runs,
    seed: query.seed,
  });
}

function figuresOf(group: ForecastGroup) {
  return {
    key: group.key,
    label: group.label,
    wonSoFar: group.wonSoFar,
    expected: group.expected,
    p10: group.p10,
    p50: group.p50,
    p90: group.p90,
    weightedPipeline: group.weightedPipeline,
    categories: group.categories,
    openDeals: group.openDeals,
    quota: group.quota,
    quotaProbability: group.quotaProbability,
    quotaAtRisk: group.quotaAtRisk,
  };
}

function dealOf(deal: ForecastDealView, lang: 'en' | 'de', currency: string) {
  // Amounts in the reasons as a reader of the language writes them (64.070 €, €64,070).
  const format = new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-US', {
    style: 'currency',
    currency,
    maximumFractionDigits: 0,
  });
  const money = (minor: number) => format.format(minor / 100);
  return {
    ...deal,
    reasons: deal.factors.map((f) => describeFactor(f, lang)),
    risks: deal.risks.map((r) => ({ ...r, text: describeRisk(r, lang, money) })),
  };
}

/**
 * @internal Registers the prediction routes: stored lead scores with their reasons (paged), deal
 * win probabilities, the forecast with its range, and plans at risk. Every figure comes from the
 * request's scope, so a rep sees only what their visibility allows.
 */
export function addPredictRoutes(table: RouteTable): void {
  table.schema('PredictFactor', factorSchema);
  table.schema('PredictRisk', riskSchema);
  table.schema('PredictDeal', dealSchema);
  table.schema('ForecastFigures', figuresSchema);
  table.schema('ForecastPeriod', periodSchema);
  table.schema(
    'LeadScore',
    exact(
      {
        leadId: { type: 'string' },
        probability: fraction('Chance of conversion.'),
        lower: {
          type: ['number', 'null'],
          description: 'The interval of a fallback score (source rate); null for a model score.',
        },
        upper: { type: ['number', 'null'] },
        method: {
          type: 'string',
          enum: ['logistic', 'naiveBayes', 'sourceRate'],
          description: "sourceRate: too little history for a model, the source's conversion rate.",
        },
        modelVersion: { type: 'integer' },
        scoredAt: { type: 'string', format: 'date-time' },
        factors: { type: 'array', items: ref('PredictFactor') },
        reasons: {
          type: 'array',
          items: { type: 'string' },
          description: 'The factors that moved it most, in words, in lang (empty: source rate).',
        },
      },
      'The stored score of a lead with its reasons.',
    ),
  );

  table.add(
    'get',
    '/predict/lead-scores',
    {
      operationId: 'listLeadScores',
      summary: 'Stored lead scores of the visible leads, highest first, with their reasons',
      tags: ['predict'],
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        {
          name: 'cursor',
          in: 'query',
          description: 'nextCursor of the previous page.',
          schema: { type: 'string' },
        },
        { name: 'lang', in: 'query', schema: { enum: ['en', 'de'] } },
      ],
      responses: {
        '200': {
          description: 'A page of scores.',
          content: json(
            exact({
              items: { type: 'array', items: ref('LeadScore') },
              nextCursor: { type: ['string', 'null'] },
            }),
          ),
        },
        ...problems(400),
      },
    },
    async (c) => {
      const query = parseQuery(c, scoresQuery);
      const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const all = await predict(c.var.scope).leadScores();
      // Scores come highest first, ties by lead id: the keyset continues after the cursor.
      const rest = after
        ? all.filter(
            (s) => s.probability < after[0] || (s.probability === after[0] && s.leadId > after[1]),
          )
        : all;
      const page = rest.slice(0, query.limit);
      const last = page.at(-1);
      return c.json({
        items: page.map((s) => ({
          ...s,
          reasons: s.factors.map((f) => describeFactor(f, query.lang)),
        })),
        nextCursor:
          rest.length > query.limit && last ? encodeCursor(last.probability, last.leadId) : null,
      });
    },
  );

  table.add(
    'get',
    '/predict/deals',
    {
      operationId: 'listDealWinProbabilities',
      summary: 'Open deals with their learned win probability and its reasons',
      tags: ['predict'],
      parameters: [
        ...forecastParameters.filter((p) => p.name !== 'by'),
        {
          name: 'ids',
          in: 'query',
          description:
            'Only these open deals, comma-separated, at most 100 (a deal view asks for its own).',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'Open deals, largest expected contribution first.',
          content: json(
            exact({ ...forecastMeta, items: { type: 'array', items: ref('PredictDeal') } }),
          ),
        },
        ...problems(400, 422),
      },
    },
    async (c) => {
      const { ids, ...query } = parseQuery(c, dealsQuery, ['ids']);
      const result = await forecastOf(c.var.scope, { ...query, runs: 100 });
      const wanted = ids ? new Set(ids) : null;
      return c.json({
        period: result.period,
        asOf: result.asOf,
        currency: result.currency,
        method: result.method,
        items: result.deals
          .filter((d) => !wanted || wanted.has(d.id))
          .map((d) => dealOf(d, query.lang, result.currency)),
      });
    },
  );

  table.add(
    'get',
    '/predict/forecast',
    {
      operationId: 'getForecast',
      summary: 'Revenue forecast of a period with its P10-P90 range, per group, against quota',
      tags: ['predict'],
      parameters: [
        ...forecastParameters,
        {
          name: 'owners',
          in: 'query',
          description: `Only the deals and quotas of these users, comma-separated or repeated, at most ${maxOwners}: the total is then their roll-up, simulated on its own (ranges do not add up). An unknown id or one whose deals the caller may not see is 422 on owners.`,
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'The forecast.',
          content: json(
            exact({
              ...forecastMeta,
              correlation: {
                oneOf: [
                  exact({
                    mean: { type: 'number' },
                    sigma: { type: 'number' },
                    windows: { type: 'integer' },
                    deals: { type: 'integer' },
                  }),
                  { type: 'null' },
                ],
                description:
                  'The shared per-period factor in the range (mean and sigma in log odds, fitted on past windows); null: deals simulated as independent, so the range is too narrow.',
              },
              total: ref('ForecastFigures'),
              groups: { type: 'array', items: ref('ForecastFigures') },
            }),
          ),
        },
        ...problems(400, 422),
      },
    },
    async (c) => {
      const result = await forecastOf(c.var.scope, parseQuery(c, forecastRouteQuery, ['owners']));
      return c.json({
        period: result.period,
        asOf: result.asOf,
        currency: result.currency,
        method: result.method,
        correlation: result.correlation,
        total: figuresOf(result.total),
        groups: result.groups.map(figuresOf),
      });
    },
  );

  table.add(
    'get',
    '/predict/plans-at-risk',
    {
      operationId: 'listPlansAtRisk',
      summary: 'Quotas unlikely to be reached, and deals whose plan looks unrealistic',
      tags: ['predict'],
      parameters: forecastParameters,
      responses: {
        '200': {
          description: 'Groups with their quota at risk, and deals with reasons.',
          content: json(
            exact({
              ...forecastMeta,
              quotas: {
                type: 'array',
                items: ref('ForecastFigures'),
                description: 'The total and the groups whose quota is at risk.',
              },
              deals: {
                type: 'array',
                items: ref('PredictDeal'),
                description: 'Open deals with at least one risk.',
              },
            }),
          ),
        },
        ...problems(400, 422),
      },
    },
    async (c) => {
      const query = parseQuery(c, forecastQuery);
      const result = await forecastOf(c.var.scope, { ...query, by: query.by ?? 'owner' });
      return c.json({
        period: result.period,
        asOf: result.asOf,
        currency: result.currency,
        method: result.method,
        quotas: [result.total, ...result.groups].filter((g) => g.quotaAtRisk).map(figuresOf),
        deals: result.deals
          .filter((d) => d.risks.length > 0)
          .map((d) => dealOf(d, query.lang, result.currency)),
      });
    },
  );
}
