import { type AnyKpiDefinition, isDeclaredKpi, type QueryKpi } from './kpi-definition.js';
import type { KpiDimension } from './kpi-info.js';
import type { AnyKpiMeasure } from './kpi-measure.js';
import type { AnyKpiSource } from './kpi-source.js';

/**
 * @internal One fused statement: a source and every fusable measure on it (of every requested
 * KPI that reads it), by signature, so a measure asked for by two KPIs is computed once.
 */
export interface FusedSource {
  readonly key: string;
  readonly source: AnyKpiSource;
  readonly measures: ReadonlyMap<string, AnyKpiMeasure>;
}

/** @internal What an evaluation runs, worked out from the definitions alone (no database). */
export interface KpiPlan {
  /** One GROUP BY per source, in the order the sources are first met. */
  readonly fused: readonly FusedSource[];
  /** Medians by signature: each its own statement (two with a breakdown). */
  readonly medians: ReadonlyMap<string, AnyKpiMeasure>;
  /** Query KPIs, run one by one. */
  readonly queries: readonly QueryKpi<string, KpiDimension, unknown>[];
  /** Whether anything converts money, so the exchange rates must be loaded. */
  readonly needsRates: boolean;
}

const identities = new WeakMap<AnyKpiSource, string>();
let nextIdentity = 0;

/**
 * @internal The identity of a source: its explicit `key`, or one given to the object the first
 * time it is met. Two equal-looking sources declared apart are two sources (a key makes them one).
 */
export function sourceKey(source: AnyKpiSource): string {
  if (source.key !== undefined) return `key:${source.key}`;
  let identity = identities.get(source);
  if (identity === undefined) {
    nextIdentity += 1;
    identity = `#${nextIdentity}`;
    identities.set(source, identity);
  }
  return identity;
}

/**
 * @internal Plain data (filters, expressions) as a string that does not depend on the order its
 * keys were written in: `{ a: 1, b: 2 }` and `{ b: 2, a: 1 }` give the same.
 */
export function stableKey(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableKey(item)}`).join(',')}}`;
}

/** @internal What a measure computes: equal signatures are computed once. */
export function measureSignature(measure: AnyKpiMeasure): string {
  return `${sourceKey(measure.source)}|${measure.aggregate}|${stableKey(measure.of)}|${stableKey(measure.where)}`;
}

/** @internal Whether a KPI expression converts money (`{ money: field }`, also inside `times`). */
export function convertsMoney(expression: unknown): boolean {
  if (expression === null || typeof expression !== 'object') return false;
  if ('money' in expression) return true;
  if ('times' in expression && Array.isArray(expression.times))
    return expression.times.some(convertsMoney);
  return false;
}

/**
 * @internal The plan of an evaluation: every fusable measure of every declared KPI grouped by its
 * source (one statement each), the medians apart, the query KPIs apart. Pure: the same
 * definitions give the same plan, which is what the fusion tests check without a database.
 */
export function planKpis(kpis: readonly AnyKpiDefinition[]): KpiPlan {
  const fused = new Map<string, { source: AnyKpiSource; measures: Map<string, AnyKpiMeasure> }>();
  const medians = new Map<string, AnyKpiMeasure>();
  const queries: QueryKpi<string, KpiDimension, unknown>[] = [];
  let needsRates = false;
  for (const kpi of kpis) {
    if (!isDeclaredKpi(kpi)) {
      queries.push(kpi);
      // A query KPI may convert money anywhere (`ctx.toBase`).
      needsRates = true;
      continue;
    }
    for (const measure of Object.values(kpi.measures)) {
      if (convertsMoney(measure.of)) needsRates = true;
      const signature = measureSignature(measure);
      if (measure.aggregate === 'median') {
        medians.set(signature, measure);
        continue;
      }
      const key = sourceKey(measure.source);
      let group = fused.get(key);
      if (!group) {
        group = { source: measure.source, measures: new Map() };
        fused.set(key, group);
      }
      group.measures.set(signature, measure);
    }
  }
  return {
    fused: [...fused].map(([key, { source, measures }]) => ({ key, source, measures })),
    medians,
    queries,
    needsRates,
  };
}
