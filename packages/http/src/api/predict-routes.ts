import type { CrmScope, PeriodInput } from '@rapport/core';
import {
  describeFactor,
  describeRisk,
  type ForecastDealView,
  type ForecastGroup,
  predict,
  type ScopeForecast,
} from '@rapport/predict';
import type { Context } from 'hono';
import { z } from 'zod';
import { json, problems, ref } from '../openapi/common.js';
import type { JsonSchema, OpenApiParameter } from '../openapi/openapi-types.js';
import { HttpProblem } from '../problems/problem-details.js';
import type { ApiEnv } from './api-env.js';
import type { RouteTable } from './route-table.js';

const language = z.enum(['en', 'de']).default('en').describe('Language of the reasons.');

const scoresQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().min(1).optional(),
  lang: language,
});

const forecastQuery = z.strictObject({
  period: z.string().min(1).optional(),
  by: z.enum(['owner', 'team', 'product']).optional(),
  asOf: z.iso.date().optional(),
  runs: z.coerce.number().int().min(100).max(100_000).default(10_000),
  seed: z.coerce.number().int().min(0).max(2_147_483_647).default(1),
  lang: language,
});

type ForecastQuery = z.output<typeof forecastQuery> & { readonly owners?: readonly string[] };

/** At most this many owners in one forecast's set (as `@rapport/predict` allows). */
const maxOwners = 500;

const forecastRouteQuery = forecastQuery.extend({
  owners: z
    .string()
    .min(1)
    .transform((list) => list.split(','))
    .pipe(z.array(z.string().min(1, 'an owner id is empty')).max(maxOwners))
    .optional()
    .describe('Only the deals and quotas of these users (a roll-up), comma-separated or repeated.'),
});

const dealsQuery = forecastQuery.omit({ by: true }).extend({
  ids: z
    .string()
    .min(1)
    .transform((list) => list.split(','))
    .pipe(z.array(z.string().min(1)).max(100))
    .optional()
    .describe('Only these open deals (comma-separated ids, at most 100).'),
});

/**
 * Query parameters through a schema: unknown ones and bad values are 400 with their names. A
 * parameter named in `lists` may be repeated: its values are joined as one comma-separated list.
 */
function parseQuery<T extends z.ZodType>(
  c: Context<ApiEnv>,
  schema: T,
  lists: readonly string[] = [],
): z.output<T> {
  const params = new URL(c.req.url).searchParams;
  const input = Object.fromEntries(params);
  for (const name of lists) if (params.has(name)) input[name] = params.getAll(name).join(',');
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new HttpProblem(
    'BAD_REQUEST',
    'the query parameters are malformed',
    parsed.error.issues.map((issue) => ({
      path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
      message: issue.message,
      code: issue.code,
    })),
  );
}

/** The keyset of a score page: the last item's probability and lead id, base64url JSON. */
const cursorSchema = z.tuple([z.number(), z.string()]);

function decodeCursor(cursor: string): z.output<typeof cursorSchema> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  const parsed = cursorSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new HttpProblem('BAD_REQUEST', 'the cursor is not one this API returned', [
    { path: ['cursor'], message: 'pass nextCursor of the previous page', code: 'invalid_cursor' },
  ]);
}

function encodeCursor(probability: number, leadId: string): string {
  return Buffer.from(JSON.stringify([probability, leadId]), 'utf8').toString('base64url');
}

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

/** An object whose every property is present, and nothing else (the routes answer all of them). */
function exact(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description === undefined ? {} : { description }),
    required: Object.keys(properties),
    additionalProperties: false,
    properties,
  };
}

const money = (description?: string): JsonSchema => ({
  // Not integer: the expected value and the percentiles of the runs can have fractions.
  type: 'number',
  description: description ?? 'Minor units of the base currency.',
});
const fraction = (description: string): JsonSchema => ({
  type: 'number',
  minimum: 0,
  maximum: 1,
  description,
});

const factorSchema = exact(
  {
    feature: { type: 'string', description: 'leadSource, stage, daysInStage, custom.<field>, ...' },
    value: {
      type: ['string', 'number', 'null'],
      description: 'The value as the model saw it (a category, (other), or a number).',
    },
    effect: { type: 'number', description: 'Change of the log odds; positive raises it.' },
  },
  'A factor in log odds against an average case (see docs/predict.md).',
);
const figuresSchema = exact(
  {
    key: {
      type: ['string', 'null'],
      description: 'The owner, team or product id; null for the total.',
    },
    label: { type: ['string', 'null'], description: 'Its name; null for the total.' },
    wonSoFar: money('Won inside the period up to asOf.'),
    expected: money('Mean of the runs (won so far included).'),
    p10: money('9 in 10 runs reach at least this.'),
    p50: money('The median run.'),
    p90: money('1 in 10 runs reaches this.'),
    weightedPipeline: money("Open amounts x their stage's default probability."),
    categories: exact(
      {
        pipeline: money(),
        bestCase: money(),
        commit: money(),
        closed: money('Won inside the period.'),
      },
      'Open amounts per forecast category; closed is won.',
    ),
    openDeals: { type: 'integer' },
    quota: { type: ['number', 'null'], description: 'Quotas inside the period; null: none.' },
    quotaProbability: {
      type: ['number', 'null'],
      minimum: 0,
      maximum: 1,
      description: 'Share of runs reaching the quota; null without one.',
    },
    quotaAtRisk: {
      type: 'boolean',
      description: 'The chance of reaching the quota is below one half.',
    },
  },
  'A forecast of one group or the total. Money in minor units of the base currency; probabilities are fractions.',
);
const riskText = { type: 'string', description: 'The reason in words, in lang.' } as const;
const riskSchema: JsonSchema = {
  description: 'A reason the plan looks unrealistic, with its figures.',
  oneOf: [
    exact({ kind: { const: 'closeDateSlipped' }, slips: { type: 'integer' }, text: riskText }),
    exact({
      kind: { const: 'longInStage' },
      stage: { type: 'string' },
      days: { type: 'integer' },
      wonMedian: { type: 'number' },
      text: riskText,
    }),
    exact({
      kind: { const: 'amountAboveOwner' },
      amount: money(),
      ownerMedian: { type: 'number' },
      text: riskText,
    }),
    exact({ kind: { const: 'noActivity' }, days: { type: 'integer' }, text: riskText }),
    exact({
      kind: { const: 'closeTooSoon' },
      daysLeft: { type: 'integer' },
      typicalRemaining: { type: 'number' },
      text: riskText,
    }),
  ],
  discriminator: { propertyName: 'kind' },
};
const dealSchema = exact(
  {
    id: { type: 'string' },
    name: { type: 'string' },
    ownerId: { type: 'string' },
    stage: { type: 'string' },
    amount: money(),
    closeDate: { type: ['string', 'null'], format: 'date' },
    winProbability: fraction('Learned chance that the deal is won at all.'),
    inPeriodProbability: fraction('Chance that it is won inside the period.'),
    method: {
      type: 'string',
      enum: ['logistic', 'naiveBayes', 'stageDefault'],
      description: "stageDefault: too little history, the stage's default probability.",
    },
    factors: { type: 'array', items: ref('PredictFactor') },
    reasons: {
      type: 'array',
      items: { type: 'string' },
      description: 'The factors in words, in lang, in the same order.',
    },
    risks: { type: 'array', items: ref('PredictRisk') },
  },
  'An open deal with its win probability and the reasons its plan looks unrealistic.',
);
const periodSchema = exact(
  {
    kind: { type: 'string' },
    label: { type: 'string' },
    start: { type: ['string', 'null'], format: 'date' },
    end: { type: ['string', 'null'], format: 'date', description: 'Exclusive.' },
    startInstant: { type: ['string', 'null'], format: 'date-time' },
    endInstant: { type: ['string', 'null'], format: 'date-time' },
    timeZone: { type: 'string' },
  },
  'The resolved period (end exclusive).',
);
const forecastMeta: Record<string, JsonSchema> = {
  period: ref('ForecastPeriod'),
  asOf: { type: 'string', format: 'date' },
  currency: { type: 'string' },
  method: { type: 'string', enum: ['logistic', 'naiveBayes', 'stageDefault'] },
};

const forecastParameters: OpenApiParameter[] = [
  {
    name: 'period',
    in: 'query',
    description: '2026-Q3, 2026-03, FY2026, thisQuarter (default), ...',
    schema: { type: 'string' },
  },
  {
    name: 'by',
    in: 'query',
    description: 'Per owner, team or product as well as the total.',
    schema: { enum: ['owner', 'team', 'product'] },
  },
  {
    name: 'asOf',
    in: 'query',
    description: 'The forecast day (default today in the tenant time zone).',
    schema: { type: 'string', format: 'date' },
  },
  { name: 'runs', in: 'query', schema: { type: 'integer', minimum: 100, maximum: 100000 } },
  { name: 'seed', in: 'query', schema: { type: 'integer', minimum: 0 } },
  { name: 'lang', in: 'query', schema: { enum: ['en', 'de'] } },
];

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
