import { moneyProduct } from '../kpi/kpi-compile.js';
import { type AnyKpiDefinition, isDeclaredKpi } from '../kpi/kpi-definition.js';
import type { AnyKpiMeasure } from '../kpi/kpi-measure.js';
import { measureSignature, sourceKey, stableKey } from '../kpi/kpi-plan.js';
import type { AnyKpiSource } from '../kpi/kpi-source.js';
import { currencyFieldOf } from '../objects/money-currency.js';
import type { AnyObjectDefinition, ColumnKind } from '../objects/object-definition.js';
import {
  addFactsFields,
  collectFacts,
  type FactsByKey,
  type FactsChild,
  type FactsChildren,
  planFacts,
  type RollupFacts,
} from './rollup-facts-plan.js';
import { timestampProblem } from './rollup-month.js';

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

/** Whole-number kinds: their sums are exact in a bigint, whatever order they are added in. */
const integerKinds: ReadonlySet<ColumnKind> = new Set(['integer', 'money']);

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

/**
 * Why a measure's expression cannot be kept as an exact integer sum, or undefined when it can:
 * integer and money fields, `{ money }` (converted at read time, per currency) and
 * `{ daysBetween }` of two date fields, and an amount times a number field ({@link moneyTimes}:
 * exact while the number is whole). Other products are floating point sums whose value depends
 * on the order rows are added: scanned, never approximated.
 */
function expressionProblem(definition: AnyObjectDefinition, of: unknown): string | undefined {
  if (typeof of === 'string')
    return integerKinds.has(kindOf(definition, of) ?? 'text') ? undefined : `${of} is not whole`;
  if (of !== null && typeof of === 'object') {
    if ('money' in of)
      return kindOf(definition, of.money) === 'money' ? undefined : 'money of a non-money field';
    if ('daysBetween' in of && Array.isArray(of.daysBetween)) {
      const dates = of.daysBetween.every((field) => kindOf(definition, field) === 'date');
      return dates ? undefined : 'daysBetween of a timestamp';
    }
    if (moneyTimes(definition, of)) return undefined;
  }
  return `${JSON.stringify(of)} is not a whole-number expression`;
}

function measureProblem(definition: AnyObjectDefinition, measure: AnyKpiMeasure) {
  if (measure.aggregate === 'count') return undefined;
  if (measure.aggregate !== 'sum' && measure.aggregate !== 'avg')
    return `${measure.aggregate} is an order statistic`;
  return expressionProblem(definition, measure.of);
}

/**
 * Why a median cannot be kept as a histogram of whole values: integer fields, `{ daysBetween }`
 * of two days, and `{ money }` (counted per currency and amount in minor units, converted and
 * ordered at read time, so a changed rate needs no rebuild); other expressions are not whole.
 */
function medianProblem(definition: AnyObjectDefinition, measure: AnyKpiMeasure) {
  const { of } = measure;
  if (typeof of === 'string')
    return kindOf(definition, of) === 'integer' ? undefined : `the median of ${of} is not whole`;
  if (of !== null && typeof of === 'object' && 'daysBetween' in of && Array.isArray(of.daysBetween))
    return of.daysBetween.every((field) => kindOf(definition, field) === 'date')
      ? undefined
      : 'daysBetween of a timestamp';
  if (of !== null && typeof of === 'object' && 'money' in of)
    return kindOf(definition, of.money) === 'money' ? undefined : 'money of a non-money field';
  return `the median of ${JSON.stringify(of)} is not a whole-number expression`;
}

function sourceProblem(definition: AnyObjectDefinition, source: AnyKpiSource) {
  const hasOwner = 'ownerId' in definition.fields.shape;
  if (definition.access === 'opportunity') return 'visible through its opportunity';
  if (!hasOwner) return 'has no owner to key visibility by';
  if (source.date !== undefined && kindOf(definition, source.date) !== 'date')
    return timestampProblem(definition, source.date);
  return undefined;
}

/**
 * Fields the engine rewrites below the repository (a lead's first completed activity, by an
 * UPDATE after each activity write), so no upkeep sees them change: a rollup that reads one would
 * go stale. (A deal's main product is an update through the upkeep; stage history exits tell it.)
 */
const keptBelowTheRepository: Readonly<Record<string, ReadonlySet<string>>> = {
  lead: new Set(['firstActivityAt']),
};

/** Why a rollup of this source and these measures would miss writes, or undefined. */
function keptFieldProblem(
  definition: AnyObjectDefinition,
  source: AnyKpiSource,
  measures: Iterable<AnyKpiMeasure>,
): string | undefined {
  const kept = keptBelowTheRepository[definition.name];
  if (!kept) return undefined;
  const fields = new Set<string>();
  if (source.date !== undefined) fields.add(source.date);
  whereFields(source.where, fields);
  for (const measure of measures) {
    whereFields(measure.where, fields);
    fieldsOf(measure.of, fields);
  }
  const field = [...fields].find((name) => kept.has(name));
  return field ? `${field} is kept below the repository (no upkeep sees it change)` : undefined;
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

/** The fields a measure expression or condition reads. */
function fieldsOf(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) fieldsOf(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'money' || key === 'daysBetween' || key === 'times') fieldsOf(item, into);
    }
  }
}

function whereFields(where: object | undefined, into: Set<string>): void {
  // A `where` names fields (and `custom` for custom fields): no nesting.
  for (const key of Object.keys(where ?? {})) into.add(key);
}

/** A fused source's measures and the breakdowns its KPIs declare, while the plan is made. */
interface PlannedSource {
  readonly source: AnyKpiSource;
  readonly measures: Map<string, AnyKpiMeasure>;
  readonly dimensions: Set<string>;
}

/**
 * Folds each snapshot source (no date: open pipeline now) into a dated source of the same object
 * and filters (the open deals by close date), whose rollups then keep its measures too: a
 * snapshot is the sum of the dated rollup's rows over every month (a record without a date sits
 * in the '' month, which only a snapshot reads). A write then touches one family of rollups
 * instead of two: an open deal's cells went from about 10 to 5. Only where the dated source can
 * be rolled up and both sets of measures fit its slots. Returns snapshot key -> dated key; the
 * dated source's entry holds both sets of measures and breakdowns.
 */
function mergeSnapshots(
  sources: Map<string, PlannedSource>,
  problemOf: (source: AnyKpiSource, measures: Map<string, AnyKpiMeasure>) => string | undefined,
): Map<string, string> {
  const merged = new Map<string, string>();
  for (const [key, snapshot] of sources) {
    if (snapshot.source.date !== undefined) continue;
    for (const [datedKey, dated] of sources) {
      const { source } = dated;
      if (source.date === undefined || source.object !== snapshot.source.object) continue;
      if (stableKey(source.where ?? {}) !== stableKey(snapshot.source.where ?? {})) continue;
      const measures = new Map([...dated.measures, ...snapshot.measures]);
      if (problemOf(source, dated.measures) || problemOf(source, measures)) continue;
      for (const [signature, measure] of snapshot.measures) dated.measures.set(signature, measure);
      for (const dimension of snapshot.dimensions) dated.dimensions.add(dimension);
      merged.set(key, datedKey);
      break;
    }
  }
  return merged;
}

/**
 * @internal The rollups of a set of KPI definitions: one per fused source whose rows a write can
 * place by itself (an owner for visibility, a day or timestamp, whole-number measures), and one
 * more per breakdown field its KPIs declare (stage, lead source, lost reason, campaign, main
 * product). Owner, team and product family breakdowns read the owner or product column. Pure, like {@link planKpis}.
 */
export function planRollups(
  kpis: Iterable<AnyKpiDefinition>,
  objects: Readonly<Record<string, AnyObjectDefinition>>,
): RollupPlan {
  const sources = new Map<string, PlannedSource>();
  const medians = new Map<string, AnyKpiMeasure>();
  const factsByKey: FactsByKey = new Map();
  for (const kpi of kpis) {
    if (!isDeclaredKpi(kpi)) collectFacts(factsByKey, kpi.facts ?? [], kpi.dimensions);
    // A query KPI's `rollupMeasures` are rolled up as a declared KPI's measures (ctx.rolledUp).
    const declared = isDeclaredKpi(kpi) ? kpi.measures : kpi.rollupMeasures;
    for (const measure of Object.values(declared ?? {})) {
      if (measure.aggregate === 'median') {
        medians.set(measureSignature(measure), measure);
        continue;
      }
      const key = sourceKey(measure.source);
      let entry = sources.get(key);
      if (!entry) {
        entry = { source: measure.source, measures: new Map(), dimensions: new Set() };
        sources.set(key, entry);
      }
      entry.measures.set(measureSignature(measure), measure);
      for (const dimension of kpi.dimensions) entry.dimensions.add(dimension);
    }
  }
  const rollups: RollupDefinition[] = [];
  const skipped = new Map<string, string>();
  const problemOf = (source: AnyKpiSource, measures: Map<string, AnyKpiMeasure>) => {
    const definition = objects[source.object];
    const problem = !definition
      ? 'unknown object'
      : (sourceProblem(definition, source) ??
        keptFieldProblem(definition, source, measures.values()) ??
        [...measures.values()].map((m) => measureProblem(definition, m)).find(Boolean));
    const tooMany = measures.size > measureSlots ? `more than ${measureSlots} measures` : undefined;
    return problem ?? tooMany;
  };
  const snapshots = mergeSnapshots(sources, problemOf);
  for (const [key, { source, measures, dimensions }] of sources) {
    if (snapshots.has(key)) continue;
    const definition = objects[source.object];
    const problem = problemOf(source, measures);
    if (!definition || problem) {
      skipped.set(key, problem ?? 'unknown object');
      continue;
    }
    // Sorted by content, so the order plugins are registered in changes neither the measures'
    // indexes nor the rollup's hash (cells stay valid).
    const contentOf = ({ aggregate, of, where }: AnyKpiMeasure) =>
      stableKey({ aggregate, of, where });
    const sorted = [...measures].sort(([, a], [, b]) =>
      contentOf(a) < contentOf(b) ? -1 : contentOf(a) > contentOf(b) ? 1 : 0,
    );
    const indexed = new Map(
      sorted.map(([signature, measure], i) => [signature, { index: i + 1, measure }]),
    );
    const content = stableKey({
      version: 3,
      object: source.object,
      where: source.where,
      date: source.date,
      measures: sorted.map(([, measure]) => contentOf(measure)),
      // Cells keyed by another currency field than `currency` (a lead's converted deal's) are
      // another shape: their id must change so a rollup built before scans until a rebuild.
      ...(currencyFieldOf(definition) === undefined || currencyFieldOf(definition) === 'currency'
        ? {}
        : { currency: currencyFieldOf(definition) }),
    });
    const kept: (RollupDimension | undefined)[] = [undefined];
    for (const [name, field] of Object.entries(fieldDimensions)) {
      if (dimensions.has(name) && field in definition.fields.shape) kept.push({ name, field });
    }
    for (const dimension of kept) {
      const name = dimension?.name ?? 'total';
      rollups.push({
        id: `${source.object}:${name}:${hashOf(`${content}|${name}`)}`,
        sourceKey: key,
        source,
        definition,
        dimension,
        measures: indexed,
      });
    }
  }
  const byMedian = new Map<string, { perOwner: RollupDefinition; allOwners: RollupDefinition }>();
  for (const [signature, measure] of medians) {
    const { source } = measure;
    const definition = objects[source.object];
    const problem = !definition
      ? 'unknown object'
      : (sourceProblem(definition, source) ??
        keptFieldProblem(definition, source, [measure]) ??
        medianProblem(definition, measure));
    if (!definition || problem) {
      skipped.set(signature, problem ?? 'unknown object');
      continue;
    }
    const { aggregate, of, where } = measure;
    const content = stableKey({ version: 1, source: sourceKey(source), aggregate, of, where });
    const histogram = (allOwners: boolean): RollupDefinition => ({
      id: `${source.object}:${allOwners ? 'medianAll' : 'median'}:${hashOf(content)}`,
      sourceKey: sourceKey(source),
      source,
      definition,
      dimension: undefined,
      measures: new Map(),
      histogram: { signature, measure, allOwners },
    });
    const pair = { perOwner: histogram(false), allOwners: histogram(true) };
    rollups.push(pair.perOwner, pair.allOwners);
    byMedian.set(signature, pair);
  }
  planFacts(factsByKey, objects, rollups, skipped);
  const group = (
    list: readonly RollupDefinition[],
    keyOf: (rollup: RollupDefinition) => string,
  ) => {
    const map = new Map<string, RollupDefinition[]>();
    for (const rollup of list) {
      const key = keyOf(rollup);
      map.set(key, [...(map.get(key) ?? []), rollup]);
    }
    return map;
  };
  const fieldsByObject = new Map<string, Set<string>>();
  const children: FactsChildren = new Map();
  for (const rollup of rollups) {
    if (rollup.facts) {
      addFactsFields(rollup, rollup.facts, fieldsByObject, children);
      continue;
    }
    const fields =
      fieldsByObject.get(rollup.source.object) ??
      new Set(['ownerId', currencyFieldOf(rollup.definition) ?? 'currency']);
    fieldsByObject.set(rollup.source.object, fields);
    if (rollup.source.date) fields.add(rollup.source.date);
    if (rollup.dimension) fields.add(rollup.dimension.field);
    whereFields(rollup.source.where, fields);
    const measures = [...rollup.measures.values()].map(({ measure }) => measure);
    if (rollup.histogram) measures.push(rollup.histogram.measure);
    for (const measure of measures) {
      whereFields(measure.where, fields);
      fieldsOf(measure.of, fields);
    }
  }
  // A fused source reads measures: the median histograms are matched by signature instead.
  const bySource = group(
    rollups.filter((rollup) => !rollup.histogram && !rollup.facts),
    (rollup) => rollup.sourceKey,
  );
  for (const [snapshot, dated] of snapshots) {
    const kept = bySource.get(dated);
    if (kept) bySource.set(snapshot, kept);
  }
  return {
    rollups,
    byObject: group(rollups, (rollup) => rollup.source.object),
    bySource,
    byFacts: group(
      rollups.filter((rollup) => rollup.facts),
      (rollup) => rollup.facts?.spec.key ?? '',
    ),
    children,
    byMedian,
    fieldsByObject,
    skipped,
  };
}
