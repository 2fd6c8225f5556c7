import type { AnyKpiMeasure } from './kpi-measure.js';
import type { AnyKpiSource } from './kpi-source.js';

/** Adds the fields a measure expression names (`amount`, `{ money }`, `{ daysBetween }`, `{ times }`). */
function expressionFields(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) expressionFields(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'money' || key === 'daysBetween' || key === 'times') expressionFields(item, into);
    }
  }
}

/**
 * @internal Every field a source (its date and filter) and measures over it (their filters and
 * expressions) read, added to `into`: what the rollup planner keys an update's upkeep by, and
 * what it and the KPI registry check against fields kept below the repository or hidden.
 */
export function fieldsRead(
  source: AnyKpiSource,
  measures: Iterable<AnyKpiMeasure>,
  into: Set<string> = new Set(),
): Set<string> {
  if (source.date !== undefined) into.add(source.date);
  // A `where` names fields (and `custom` for custom fields): no nesting.
  for (const key of Object.keys(source.where ?? {})) into.add(key);
  for (const measure of measures) {
    for (const key of Object.keys(measure.where ?? {})) into.add(key);
    expressionFields(measure.of, into);
  }
  return into;
}
