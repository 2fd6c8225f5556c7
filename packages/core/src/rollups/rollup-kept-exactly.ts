import { fieldsRead } from '../kpi/kpi-fields-read.js';
import type { AnyKpiMeasure } from '../kpi/kpi-measure.js';
import type { AnyKpiSource } from '../kpi/kpi-source.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import { integerKinds, kindOf, moneyTimes } from './rollup-definition.js';
import { timestampProblem } from './rollup-month.js';

// Why a source or measure cannot be kept exactly by a write alone: such sources are scanned,
// never approximated (the planner lists the reason in `skipped`).

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

/** @internal Why a measure cannot be kept as an exact integer sum, or undefined. */
export function measureProblem(definition: AnyObjectDefinition, measure: AnyKpiMeasure) {
  if (measure.aggregate === 'count') return undefined;
  if (measure.aggregate !== 'sum' && measure.aggregate !== 'avg')
    return `${measure.aggregate} is an order statistic`;
  return expressionProblem(definition, measure.of);
}

/**
 * @internal Why a median cannot be kept as a histogram of whole values: integer fields, `{ daysBetween }`
 * of two days, and `{ money }` (counted per currency and amount in minor units, converted and
 * ordered at read time, so a changed rate needs no rebuild); other expressions are not whole.
 */
export function medianProblem(definition: AnyObjectDefinition, measure: AnyKpiMeasure) {
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

/** @internal Why a source's rows cannot be placed by a write alone, or undefined. */
export function sourceProblem(definition: AnyObjectDefinition, source: AnyKpiSource) {
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

/** @internal Why a rollup of this source and these measures would miss writes, or undefined. */
export function keptFieldProblem(
  definition: AnyObjectDefinition,
  source: AnyKpiSource,
  measures: Iterable<AnyKpiMeasure>,
): string | undefined {
  const kept = keptBelowTheRepository[definition.name];
  if (!kept) return undefined;
  const fields = fieldsRead(source, measures);
  const field = [...fields].find((name) => kept.has(name));
  return field ? `${field} is kept below the repository (no upkeep sees it change)` : undefined;
}
