import { type CrmScope, isRapportError } from '@rapport/core';
import { predictTablesOf } from './plugin-database.js';

/** What a model is for. */
export type ModelKind = 'lead' | 'deal';

/** A stored model version of a tenant. */
export interface StoredModel<TModel, TMetrics> {
  readonly kind: ModelKind;
  readonly version: number;
  /** `logistic`, `naiveBayes`, or the fallback (`sourceRate`, `stageDefault`). */
  readonly method: string;
  readonly trainedAt: string;
  readonly model: TModel;
  readonly metrics: TMetrics;
}

interface ModelRow {
  readonly kind: string;
  readonly version: number | string;
  readonly method: string;
  readonly trainedAt: string;
  readonly model: string;
  readonly metrics: string;
}

function parse<TModel, TMetrics>(row: ModelRow): StoredModel<TModel, TMetrics> {
  return {
    kind: row.kind === 'deal' ? 'deal' : 'lead',
    version: Number(row.version),
    method: row.method,
    trainedAt: new Date(row.trainedAt).toISOString(),
    // The model JSON was written by saveModel from a TModel; it is read back as the same type.
    model: JSON.parse(row.model) as TModel,
    metrics: JSON.parse(row.metrics) as TMetrics,
  };
}

/**
 * The tenant's latest model of a kind, or undefined before the first training.
 *
 * @example
 * const latest = await latestModel<LeadModel, LeadTrainingMetrics>(scope, 'lead');
 */
export async function latestModel<TModel, TMetrics>(
  scope: CrmScope,
  kind: ModelKind,
): Promise<StoredModel<TModel, TMetrics> | undefined> {
  const row: ModelRow | undefined = await predictTablesOf(scope)
    .selectFrom('predictModels')
    .select(['kind', 'version', 'method', 'trainedAt', 'model', 'metrics'])
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? parse<TModel, TMetrics>(row) : undefined;
}

/**
 * The tenant's latest model of a kind stored under `cacheKey` (see {@link saveModel}), or
 * undefined.
 *
 * @example
 * const cached = await cachedModel<DealModel, unknown>(scope, 'deal', key);
 */
export async function cachedModel<TModel, TMetrics>(
  scope: CrmScope,
  kind: ModelKind,
  cacheKey: string,
): Promise<StoredModel<TModel, TMetrics> | undefined> {
  const row: ModelRow | undefined = await predictTablesOf(scope)
    .selectFrom('predictModels')
    .select(['kind', 'version', 'method', 'trainedAt', 'model', 'metrics'])
    .where('kind', '=', kind)
    .where('cacheKey', '=', cacheKey)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? parse<TModel, TMetrics>(row) : undefined;
}

/**
 * Stores a new version (the previous one plus 1) and returns it. With `cacheKey` (a model
 * trained for given inputs, found again by {@link cachedModel}), only the newest `keep` keyed
 * versions of the kind stay (default 8): a cache, not a history.
 */
export async function saveModel<TModel, TMetrics>(
  scope: CrmScope,
  input: Omit<StoredModel<TModel, TMetrics>, 'version'>,
  cache?: { readonly cacheKey: string; readonly keep?: number },
): Promise<StoredModel<TModel, TMetrics>> {
  // Two saves at once (two forecasts missing the cache on Postgres, read committed) can read the
  // same last version: the later insert breaks the key, and a new attempt takes the next one
  // (each round lets at least one of them in).
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertVersion(scope, input, cache);
    } catch (error) {
      if (attempt >= 10 || !isDuplicateKey(error)) throw error;
    }
  }
}

/** A unique or primary key violation, as core, Postgres (23505) or SQLite report it. */
function isDuplicateKey(error: unknown): boolean {
  if (isRapportError(error)) return error.code === 'CONFLICT';
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : null;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

async function insertVersion<TModel, TMetrics>(
  scope: CrmScope,
  input: Omit<StoredModel<TModel, TMetrics>, 'version'>,
  cache?: { readonly cacheKey: string; readonly keep?: number },
): Promise<StoredModel<TModel, TMetrics>> {
  return scope.transaction(async (tx) => {
    const tables = predictTablesOf(tx);
    const last = await tables
      .selectFrom('predictModels')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('kind', '=', input.kind)
      .executeTakeFirst();
    // Postgres returns max(integer) as a string in some drivers' settings; Number reads both.
    const version = Number(last?.version ?? 0) + 1;
    await tables
      .insertInto('predictModels', {
        kind: input.kind,
        version,
        method: input.method,
        trainedAt: input.trainedAt,
        model: JSON.stringify(input.model),
        metrics: JSON.stringify(input.metrics),
        cacheKey: cache?.cacheKey ?? null,
      })
      .execute();
    if (cache)
      await tables
        .deleteFrom('predictModels')
        .where('kind', '=', input.kind)
        .where('cacheKey', 'is not', null)
        .where('version', '<=', version - (cache.keep ?? 8))
        .execute();
    return { ...input, version };
  });
}
