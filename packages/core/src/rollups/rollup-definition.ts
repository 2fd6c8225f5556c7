import { moneyProduct } from '../kpi/kpi-compile.js';
import type { AnyKpiMeasure } from '../kpi/kpi-measure.js';
import type { AnyKpiSource } from '../kpi/kpi-source.js';
import type { AnyObjectDefinition, ColumnKind } from '../objects/object-definition.js';
import type { FactsChild, RollupFacts } from './rollup-facts-plan.js';

/** @internal A breakdown a rollup keeps as its `groupKey`: the dimension and the record's field. */
export interface RollupDimension {
  readonly name: string;
  readonly field: string;
  /** The field is the parent's (a stage history entry's owner, main product, lead source). */
  readonly onParent?: boolean;
}

/**
 * @internal One rollup: the rows of one fused source, keyed by month (of a day field, or of a
 * timestamp in the tenant's time zone), owner, currency and at most one breakdown field, with a count and an integer sum per measure.
 * Measure 0 is the source's row count (a KPI's default sample size).
 */
export interface RollupDefinition {
  /** `object:dimension:hash`: the hash of everything the cells depend on. */
  readonly id: string;
  readonly sourceKey: string;
  readonly source: AnyKpiSource;
  readonly definition: AnyObjectDefinition;
  readonly dimension: RollupDimension | undefined;
  /** Facts of a query KPI instead of measures (`ctx.facts`), kept in SQL. */
  readonly facts?: RollupFacts;
  /** The measures by signature, each with its index (from 1). */
  readonly measures: ReadonlyMap<
    string,
    { readonly index: number; readonly measure: AnyKpiMeasure }
  >;
  /**
   * A median's histogram instead of measures: the rows counted per value (the `groupKey` is the
   * value, a whole number; for money the amount in minor units, with its currency in the
   * currency column), from which the read takes the middle value exactly.
   */
  readonly histogram?: {
    readonly signature: string;
    readonly measure: AnyKpiMeasure;
    /**
     * Every owner's rows in one count (the owner column is ''): what an actor who sees every
     * owner reads for a total, a few thousand rows where the per-owner histogram holds about one
     * row per record.
     */
    readonly allOwners: boolean;
  };
}

/** @internal Every rollup of an engine, by object and by source. */
export interface RollupPlan {
  readonly rollups: readonly RollupDefinition[];
  readonly byObject: ReadonlyMap<string, readonly RollupDefinition[]>;
  readonly bySource: ReadonlyMap<string, readonly RollupDefinition[]>;
  /** The histograms of medians by the median measure's signature: per owner, and all owners. */
  readonly byMedian: ReadonlyMap<
    string,
    { readonly perOwner: RollupDefinition; readonly allOwners: RollupDefinition }
  >;
  /** Per object, the fields a rollup reads: an update that changes none of them changes no cell. */
  readonly fieldsByObject: ReadonlyMap<string, ReadonlySet<string>>;
  /** The facts rollups by the key of their facts. */
  readonly byFacts: ReadonlyMap<string, readonly RollupDefinition[]>;
  /** Per parent object, its children's facts rollups and the parent fields they key by. */
  readonly children: ReadonlyMap<string, FactsChild>;

  /** Why each source that is not rolled up is not (for docs, tests and `rollups check`). */
  readonly skipped: ReadonlyMap<string, string>;
}

/**
 * @internal Breakdowns a rollup can key by: a field of the record itself, so a write knows its value. The
 * product is the opportunity's main product, a value kept on it at write time
 * (`sales/kept-values.ts`, which moves the deal's contribution when a line item write moves it).
 */
export const fieldDimensions: Readonly<Record<string, string>> = {
  stage: 'stage',
  leadSource: 'leadSource',
  lostReason: 'lostReason',
  campaign: 'campaignId',
  product: 'mainProductId',
};

/** @internal Whole-number kinds: their sums are exact in a bigint, whatever order they are added in. */
export const integerKinds: ReadonlySet<ColumnKind> = new Set(['integer', 'money']);

/**
 * @internal Measures a rollup row holds (columns `n1..n8`, `s1..s8` of migration
 * `0008-rollup-rows`): a source with more is scanned.
 */
export const measureSlots = 8;

/**
 * @internal A money amount times a number field (`{ times: [{ money: 'amount' }, 'probability'] }`,
 * either order), the weighted pipeline: kept as the integer amount x number per currency while
 * the number is whole (a probability in whole percent), else counted as inexact (the read scans).
 */
export function moneyTimes(
  definition: AnyObjectDefinition,
  of: unknown,
): { readonly money: string; readonly factor: string; readonly whole: boolean } | undefined {
  const product = moneyProduct(of);
  if (!product || kindOf(definition, product.money) !== 'money') return undefined;
  const kind = kindOf(definition, product.factor);
  if (kind === 'integer') return { ...product, whole: true };
  return kind === 'number' ? { ...product, whole: false } : undefined;
}

/** @internal The column kind of a field of an object, or undefined for a system field. */
export function kindOf(definition: AnyObjectDefinition, field: unknown): ColumnKind | undefined {
  if (typeof field !== 'string') return undefined;
  // The columns map every field to its kind; any other name (a system field) has none.
  return (definition.columns as Readonly<Record<string, ColumnKind | undefined>>)[field];
}

/** @internal FNV-1a, twice with two offsets: 64 bits of a definition, enough to tell plugin sets apart. */
export function hashOf(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}
