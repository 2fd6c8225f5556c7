import type { AnyKpiFacts } from '../kpi/kpi-facts.js';
import { stableKey } from '../kpi/kpi-plan.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import {
  fieldDimensions,
  hashOf,
  kindOf,
  measureSlots,
  type RollupDefinition,
  type RollupDimension,
} from './rollup-definition.js';
import { timestampProblem } from './rollup-month.js';

/**
 * @internal What a rollup of {@link AnyKpiFacts} keeps: the facts per measure slot, of rows that
 * belong to a parent record (stage history entries of an opportunity), keyed by the parent's
 * owner (visibility follows it) and the breakdown field (the row's own, else the parent's).
 */
export interface RollupFacts {
  readonly spec: AnyKpiFacts;
  /** The parent's object, and the field of the row that holds the parent's id. */
  readonly parent: AnyObjectDefinition;
  readonly via: string;
  /** Each fact's measure slot (from 1). */
  readonly slots: readonly { readonly name: string; readonly index: number }[];
}

/**
 * @internal The rollups of a query KPI's facts, or why there are none: the rows must belong to an
 * opportunity (`access: 'opportunity'`, the visibility the scan applies: the opportunity's
 * owner) and be dated by a day or a timestamp, or be a snapshot; at most 8 facts. One rollup for
 * the total and one per breakdown field of the KPIs' dimensions: the row's own field when it
 * has one (a stage history entry's stage), else its opportunity's (lead source, campaign, lost
 * reason, main product). Owner, team and product family read the owner and product columns.
 */
export function factsRollups(
  facts: AnyKpiFacts,
  dimensions: ReadonlySet<string>,
  objects: Readonly<Record<string, AnyObjectDefinition>>,
): RollupDefinition[] | string {
  const { source } = facts;
  const definition = objects[source.object];
  const parent = objects.opportunity;
  if (!definition || !parent) return 'unknown object';
  if (definition.access !== 'opportunity' || !('opportunityId' in definition.fields.shape))
    return 'facts are kept for rows that belong to an opportunity';
  if (source.date !== undefined && kindOf(definition, source.date) !== 'date') {
    const problem = timestampProblem(definition, source.date);
    if (problem) return problem;
  }
  const names = Object.keys(facts.facts);
  if (names.length > measureSlots) return `more than ${measureSlots} facts`;
  const slots = names.map((name, i) => ({ name, index: i + 1 }));
  const content = stableKey({
    version: 1,
    key: facts.key,
    object: source.object,
    where: source.where,
    date: source.date,
    differ: facts.differ,
    facts: names.map((name) => [name, facts.facts[name]]),
  });
  const kept: (RollupDimension | undefined)[] = [undefined];
  for (const [name, parentField] of Object.entries(fieldDimensions)) {
    if (!dimensions.has(name)) continue;
    // The scan's key of a child row: its own field, else its opportunity's (kpi-dimensions.ts).
    const own = name === 'product' ? 'productId' : name === 'campaign' ? 'campaignId' : name;
    if (own in definition.fields.shape) kept.push({ name, field: own });
    else if (parentField in parent.fields.shape)
      kept.push({ name, field: parentField, onParent: true });
  }
  return kept.map((dimension) => {
    const name = dimension?.name ?? 'total';
    return {
      id: `${source.object}:facts.${name}:${hashOf(`${content}|${name}`)}`,
      sourceKey: `facts:${facts.key}`,
      source,
      definition,
      dimension,
      facts: { spec: facts, parent, via: 'opportunityId', slots },
      measures: new Map(),
    };
  });
}

/** @internal The facts of the query KPIs by key, with the dimensions of the KPIs that read them. */
export type FactsByKey = Map<string, { facts: AnyKpiFacts; dimensions: Set<string> }>;

/** @internal The facts rollups of a parent object's children and the parent fields they read. */
export interface FactsChild {
  readonly rollups: readonly RollupDefinition[];
  readonly fields: ReadonlySet<string>;
}

/** @internal {@link FactsChild} per parent object, as the plan collects them. */
export type FactsChildren = Map<string, { rollups: RollupDefinition[]; fields: Set<string> }>;

/** @internal Adds a query KPI's facts and dimensions to `into`. */
export function collectFacts(
  into: FactsByKey,
  facts: readonly AnyKpiFacts[],
  dimensions: readonly string[],
): void {
  for (const each of facts) {
    const entry = into.get(each.key) ?? { facts: each, dimensions: new Set<string>() };
    into.set(each.key, entry);
    for (const dimension of dimensions) entry.dimensions.add(dimension);
  }
}

/** @internal The facts rollups into `rollups`, and why the others are not kept into `skipped`. */
export function planFacts(
  factsByKey: FactsByKey,
  objects: Readonly<Record<string, AnyObjectDefinition>>,
  rollups: RollupDefinition[],
  skipped: Map<string, string>,
): void {
  for (const [key, { facts, dimensions }] of factsByKey) {
    const made = factsRollups(facts, dimensions, objects);
    if (typeof made === 'string') skipped.set(`facts:${key}`, made);
    else rollups.push(...made);
  }
}

/**
 * @internal The fields a facts rollup reads: of its own object (an update of them moves cells)
 * and of its parent (an update of the parent moves every child's contribution).
 */
export function addFactsFields(
  rollup: RollupDefinition,
  facts: RollupFacts,
  fieldsByObject: Map<string, Set<string>>,
  children: FactsChildren,
): void {
  const fields = fieldsByObject.get(rollup.source.object) ?? new Set([facts.via]);
  fieldsByObject.set(rollup.source.object, fields);
  if (rollup.source.date) fields.add(rollup.source.date);
  for (const field of Object.keys(rollup.source.where ?? {})) fields.add(field);
  for (const field of facts.spec.differ ?? []) fields.add(field);
  for (const fact of Object.values(facts.spec.facts))
    for (const field of 'count' in fact ? [fact.count] : fact.millisecondsBetween)
      if (field !== true) fields.add(field);
  const parent = children.get(facts.parent.name) ?? { rollups: [], fields: new Set(['ownerId']) };
  children.set(facts.parent.name, parent);
  parent.rollups.push(rollup);
  if (rollup.dimension?.onParent) parent.fields.add(rollup.dimension.field);
  else if (rollup.dimension) fields.add(rollup.dimension.field);
}
