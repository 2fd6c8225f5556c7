import type { CrmScope, KpiEvaluateOptions, KpiInfo } from '@rapport/core';
import type { Context } from 'hono';
import { z } from 'zod';
import { idempotencyKeyParameter, json, problems, ref } from '../openapi/common.js';
import { jsonSchemaOf } from '../openapi/object-schemas.js';
import type { JsonSchema } from '../openapi/openapi-types.js';
import { HttpProblem } from '../problems/problem-details.js';
import { type ApiEnv, readJsonObject } from './api-env.js';
import type { RouteTable } from './route-table.js';

const filterValue = z.union([z.string(), z.null(), z.array(z.union([z.string(), z.null()]))]);

/** The body of POST /kpis/evaluate; GET takes the same as query parameters. */
const evaluateRequestSchema = z.strictObject({
  ids: z
    .array(z.string().min(1))
    .optional()
    .describe('KPI ids; all KPIs (that support by and the filters) when left out.'),
  period: z
    .union([z.string().min(1), z.strictObject({ from: z.iso.date(), to: z.iso.date() })])
    .optional()
    .describe(
      '2026-03, 2026-Q3, 2026, FY2026, 2026-03-01..2026-03-15, thisMonth, lastQuarter, all, ... (default thisMonth)',
    ),
  by: z
    .string()
    .min(1)
    .optional()
    .describe('A breakdown dimension: owner, team, product, stage, custom.<field>, ...'),
  filters: z
    .record(z.string(), filterValue)
    .optional()
    .describe('Dimension values: { "owner": ["u1", "u2"] }.'),
  compare: z.boolean().optional().describe('Also compute the previous period (default true).'),
  items: z
    .strictObject({
      limit: z.number().int().min(1).max(1000).optional(),
      offset: z.number().int().min(0).optional(),
    })
    .optional()
    .describe("The page of a list KPI's items: limit (default 100, at most 1000) and offset."),
});

type EvaluateRequest = z.output<typeof evaluateRequestSchema>;

const intervalSchema: JsonSchema = {
  type: ['object', 'null'],
  properties: { lower: { type: 'number' }, upper: { type: 'number' }, level: { type: 'number' } },
};
const periodSchema: JsonSchema = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    label: { type: 'string' },
    start: { type: ['string', 'null'] },
    end: { type: ['string', 'null'], description: 'Exclusive.' },
    timeZone: { type: 'string' },
  },
};
const figureProperties = {
  value: { type: ['number', 'null'] },
  reason: { type: ['string', 'null'], description: 'Why value is null (no data).' },
  sampleSize: { type: 'integer' },
  interval: intervalSchema,
  previous: {
    type: ['object', 'null'],
    properties: {
      period: periodSchema,
      value: { type: ['number', 'null'] },
      sampleSize: { type: 'integer' },
      change: { type: ['number', 'null'] },
      relativeChange: { type: ['number', 'null'] },
    },
  },
};
const titlesSchema: JsonSchema = {
  type: 'object',
  properties: { en: { type: 'string' }, de: { type: 'string' } },
};

/** The public description of a KPI, without its computation. */
function infoOf(kpi: KpiInfo) {
  return {
    id: kpi.id,
    group: kpi.group,
    title: kpi.title,
    description: kpi.description,
    unit: kpi.unit,
    direction: kpi.direction,
    dimensions: kpi.dimensions,
    ...(kpi.reference === undefined ? {} : { reference: kpi.reference }),
  };
}

/** Whether a KPI can be broken down or filtered by `dimension` (`custom.x` needs `custom`). */
function supports(kpi: KpiInfo, dimension: string): boolean {
  const base = dimension.startsWith('custom.') ? 'custom' : dimension;
  // Cast: widening a tuple of literals to test an arbitrary string against it.
  return (kpi.dimensions as readonly string[]).includes(base);
}

function fromQuery(c: Context<ApiEnv>): EvaluateRequest {
  const params = new URL(c.req.url).searchParams;
  const filters: Record<string, string[]> = {};
  let request: Record<string, unknown> = {};
  for (const [name, value] of params) {
    const filter = name.match(/^filter\[([A-Za-z0-9_.]+)\]$/)?.[1];
    if (filter) filters[filter] = [...(filters[filter] ?? []), ...value.split(',')];
    else if (name === 'ids')
      // Cast: ids is either unset or the array this loop builds.
      request.ids = [...((request.ids as string[]) ?? []), ...value.split(',')];
    // Anything but true or false stays a string, so the schema refuses it (400, not ignored).
    else if (name === 'compare')
      request.compare = value === 'true' ? true : value === 'false' ? false : value;
    else if (name === 'period' || name === 'by') request[name] = value;
    // A page of list items; what is not a whole number stays text, so the schema refuses it.
    else if (name === 'itemLimit' || name === 'itemOffset') {
      const key = name === 'itemLimit' ? 'limit' : 'offset';
      const number = /^\d+$/.test(value) ? Number(value) : value;
      // Cast: items is unset or the object this loop builds from itemLimit/itemOffset.
      request.items = { ...(request.items as object | undefined), [key]: number };
    } else
      throw new HttpProblem('BAD_REQUEST', `unknown parameter ${name}`, [
        { path: [name], message: 'is not a parameter of this route', code: 'unknown_parameter' },
      ]);
  }
  if (Object.keys(filters).length > 0) request = { ...request, filters };
  return parseRequest(request);
}

function parseRequest(input: unknown): EvaluateRequest {
  const parsed = evaluateRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    message: issue.message,
    code: issue.code,
  }));
  throw new HttpProblem('BAD_REQUEST', 'the KPI request is malformed', issues);
}

/**
 * Evaluates what the request asks for; `signal` is the HTTP request's, aborted when the client
 * closes the connection, so an abandoned dashboard stops issuing statements.
 */
async function evaluate(scope: CrmScope, request: EvaluateRequest, signal: AbortSignal) {
  const dimensions = [...(request.by ? [request.by] : []), ...Object.keys(request.filters ?? {})];
  const ids =
    request.ids ??
    scope.kpis
      .definitions()
      .filter((kpi) => dimensions.every((dimension) => supports(kpi, dimension)))
      .map((kpi) => kpi.id);
  if (ids.length === 0) return { results: {} };
  const options = {
    ...(request.period === undefined ? {} : { period: request.period }),
    ...(request.by === undefined ? {} : { by: request.by }),
    ...(request.filters === undefined ? {} : { filters: request.filters }),
    ...(request.compare === undefined ? {} : { compare: request.compare }),
    ...(request.items === undefined ? {} : { items: request.items }),
    signal,
    // The engine checks period labels and dimensions (VALIDATION with the field path); the
    // template-literal types it declares cannot be proven for text from a URL beforehand.
  } as KpiEvaluateOptions;
  return { results: await scope.kpis.evaluate(ids, options) };
}

/** @internal Registers the KPI catalogue and evaluation. */
export function addKpiRoutes(table: RouteTable): void {
  table.schema('KpiInfo', {
    type: 'object',
    required: ['id', 'group', 'title', 'description', 'unit', 'direction', 'dimensions'],
    properties: {
      id: { type: 'string', examples: ['closing.winRate'] },
      group: { type: 'string' },
      title: titlesSchema,
      description: { type: 'string' },
      unit: { enum: ['money', 'ratio', 'count', 'duration', 'number'] },
      direction: { enum: ['higher', 'lower', 'neutral'] },
      dimensions: { type: 'array', items: { type: 'string' } },
      reference: { type: 'string' },
    },
  });
  table.schema('KpiResult', {
    type: 'object',
    description:
      'Money values are minor units of currency; ratios are fractions (0.63); durations are days.',
    properties: {
      id: { type: 'string' },
      group: { type: 'string' },
      title: titlesSchema,
      unit: { type: 'string' },
      direction: { type: 'string' },
      currency: { type: ['string', 'null'] },
      period: periodSchema,
      ...figureProperties,
      breakdown: {
        type: ['array', 'null'],
        items: {
          type: 'object',
          properties: {
            key: { type: ['string', 'null'] },
            label: { type: ['string', 'null'] },
            ...figureProperties,
          },
        },
      },
      items: {
        type: 'array',
        items: {},
        description: 'The records behind a list KPI: the page asked for (100 by default).',
      },
      itemCount: {
        type: 'integer',
        description: 'How many records are behind a list KPI in all; 0 for other KPIs.',
      },
    },
  });
  table.schema('KpiEvaluateRequest', jsonSchemaOf(evaluateRequestSchema, 'input'));
  table.schema('KpiResults', {
    type: 'object',
    required: ['results'],
    properties: { results: { type: 'object', additionalProperties: ref('KpiResult') } },
  });

  table.add(
    'get',
    '/kpis',
    {
      operationId: 'listKpis',
      summary: "The KPIs of the engine's plugins",
      tags: ['kpis'],
      responses: {
        '200': {
          description: 'The KPI catalogue.',
          content: json({
            type: 'object',
            properties: { kpis: { type: 'array', items: ref('KpiInfo') } },
          }),
        },
        ...problems(),
      },
    },
    (c) => c.json({ kpis: c.var.scope.kpis.definitions().map(infoOf) }),
  );

  const parameters = [
    {
      name: 'ids',
      in: 'query',
      description: 'Comma-separated KPI ids (all by default).',
      schema: { type: 'string' },
    },
    {
      name: 'period',
      in: 'query',
      description: '2026-Q1, 2026-03, FY2026, lastMonth, all, 2026-01-01..2026-01-31, ...',
      schema: { type: 'string' },
    },
    { name: 'by', in: 'query', description: 'A breakdown dimension.', schema: { type: 'string' } },
    {
      name: 'compare',
      in: 'query',
      description: 'false skips the previous period.',
      schema: { type: 'boolean' },
    },
    {
      name: 'itemLimit',
      in: 'query',
      description: "How many of a list KPI's items (default 100, at most 1000).",
      schema: { type: 'integer', minimum: 1, maximum: 1000 },
    },
    {
      name: 'itemOffset',
      in: 'query',
      description: "How many of a list KPI's items to skip (default 0).",
      schema: { type: 'integer', minimum: 0 },
    },
    {
      name: 'filter[owner]',
      in: 'query',
      description: 'Filters as filter[dimension]=value1,value2 (any dimension).',
      schema: { type: 'string' },
    },
  ] as const;
  const responses = {
    '200': { description: 'Results by KPI id.', content: json(ref('KpiResults')) },
    ...problems(400, 404, 422),
  };
  table.add(
    'get',
    '/kpis/evaluate',
    {
      operationId: 'evaluateKpis',
      summary: 'Evaluate KPIs for a period, with breakdown and filters',
      tags: ['kpis'],
      parameters,
      responses,
    },
    async (c) => c.json(await evaluate(c.var.scope, fromQuery(c), c.req.raw.signal)),
  );
  table.add(
    'post',
    '/kpis/evaluate',
    {
      operationId: 'evaluateKpisWithBody',
      summary: 'Evaluate KPIs, with the request as JSON (for filters with null values)',
      tags: ['kpis'],
      parameters: [idempotencyKeyParameter],
      requestBody: { required: true, content: json(ref('KpiEvaluateRequest')) },
      responses: { ...responses, ...problems(400, 404, 413, 415, 422) },
    },
    async (c) =>
      c.json(await evaluate(c.var.scope, parseRequest(await readJsonObject(c)), c.req.raw.signal)),
  );
}
