import { type AnyKpiDefinition, isDeclaredKpi } from '../kpi/kpi-definition.js';
import { fieldsRead } from '../kpi/kpi-fields-read.js';
import type { AnyKpiMeasure } from '../kpi/kpi-measure.js';
import { measureSignature, sourceKey, stableKey } from '../kpi/kpi-plan.js';
import type { AnyKpiSource } from '../kpi/kpi-source.js';
import { currencyFieldOf } from '../objects/money-currency.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import {
  fieldDimensions,
  hashOf,
  measureSlots,
  type RollupDefinition,
  type RollupDimension,
  type RollupPlan,
} from './rollup-definition.js';
import {
  addFactsFields,
  collectFacts,
  type FactsByKey,
  type FactsChildren,
  planFacts,
} from './rollup-facts-plan.js';
import {
  keptFieldProblem,
  measureProblem,
  medianProblem,
  sourceProblem,
} from './rollup-kept-exactly.js';

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
    if (rollup.dimension) fields.add(rollup.dimension.field);
    const measures = [...rollup.measures.values()].map(({ measure }) => measure);
    if (rollup.histogram) measures.push(rollup.histogram.measure);
    fieldsRead(rollup.source, measures, fields);
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
