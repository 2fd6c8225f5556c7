import type { Context } from 'hono';
import { z } from 'zod';
import { HttpProblem } from '../problems/problem-details.js';
import type { ApiEnv } from './api-env.js';

// The query parameters of the prediction routes and the keyset cursor of the score pages.

const language = z.enum(['en', 'de']).default('en').describe('Language of the reasons.');

export const scoresQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().min(1).optional(),
  lang: language,
});

export const forecastQuery = z.strictObject({
  period: z.string().min(1).optional(),
  by: z.enum(['owner', 'team', 'product']).optional(),
  asOf: z.iso.date().optional(),
  runs: z.coerce.number().int().min(100).max(100_000).default(10_000),
  seed: z.coerce.number().int().min(0).max(2_147_483_647).default(1),
  lang: language,
});

export type ForecastQuery = z.output<typeof forecastQuery> & {
  readonly owners?: readonly string[];
};

/** At most this many owners in one forecast's set (as `@rapport/predict` allows). */
export const maxOwners = 500;

export const forecastRouteQuery = forecastQuery.extend({
  owners: z
    .string()
    .min(1)
    .transform((list) => list.split(','))
    .pipe(z.array(z.string().min(1, 'an owner id is empty')).max(maxOwners))
    .optional()
    .describe('Only the deals and quotas of these users (a roll-up), comma-separated or repeated.'),
});

export const dealsQuery = forecastQuery.omit({ by: true }).extend({
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
export function parseQuery<T extends z.ZodType>(
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

export function decodeCursor(cursor: string): z.output<typeof cursorSchema> {
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

export function encodeCursor(probability: number, leadId: string): string {
  return Buffer.from(JSON.stringify([probability, leadId]), 'utf8').toString('base64url');
}
