import { ref } from '../openapi/common.js';
import type { JsonSchema, OpenApiParameter } from '../openapi/openapi-types.js';

// The OpenAPI schemas of the prediction routes' answers: every property required, no others,
// so the document says exactly what the routes send (predict-routes.test.ts checks real answers).

/** An object whose every property is present, and nothing else (the routes answer all of them). */
export function exact(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
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
export const fraction = (description: string): JsonSchema => ({
  type: 'number',
  minimum: 0,
  maximum: 1,
  description,
});

export const factorSchema = exact(
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
export const figuresSchema = exact(
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
export const riskSchema: JsonSchema = {
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
export const dealSchema = exact(
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
export const periodSchema = exact(
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
export const forecastMeta: Record<string, JsonSchema> = {
  period: ref('ForecastPeriod'),
  asOf: { type: 'string', format: 'date' },
  currency: { type: 'string' },
  method: { type: 'string', enum: ['logistic', 'naiveBayes', 'stageDefault'] },
};

export const forecastParameters: OpenApiParameter[] = [
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
