import { hiddenFieldsOf } from '../objects/object-definition.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { AnyKpiMeasure } from './kpi-measure.js';
import type { AnyKpiSource } from './kpi-source.js';

/** The fields a measure expression names (`{ money }`, `{ daysBetween }`, `{ times }` nest them). */
function expressionFields(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) expressionFields(item, into);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) expressionFields(item, into);
}

/** Every field a source (its filter and date) and its measures (filters, expressions) read. */
function fieldsRead(source: AnyKpiSource, measures: readonly AnyKpiMeasure[]): Set<string> {
  const fields = new Set<string>(Object.keys(source.where ?? {}));
  if (source.date !== undefined) fields.add(source.date);
  for (const measure of measures) {
    for (const field of Object.keys(measure.where ?? {})) fields.add(field);
    expressionFields(measure.of, fields);
  }
  return fields;
}

/**
 * @internal The hidden fields a source and its measures read, with the object each is kept from
 * (`hiddenFrom`): what an actor must see every record of before a KPI figure may use them.
 */
export function hiddenFieldsRead(
  objects: Readonly<
    Record<string, { readonly hiddenFrom?: string } & Parameters<typeof hiddenFieldsOf>[0]>
  >,
  source: AnyKpiSource,
  measures: readonly AnyKpiMeasure[],
): { readonly field: string; readonly from: ObjectName }[] {
  const definition = objects[source.object];
  if (!definition) return [];
  const hidden = hiddenFieldsOf(definition);
  if (hidden.size === 0) return [];
  // Cast: `hiddenFrom` names a standard object (checked where the objects are defined).
  const from = (definition.hiddenFrom ?? source.object) as ObjectName;
  return [...fieldsRead(source, measures)]
    .filter((field) => hidden.has(field))
    .map((field) => ({ field, from }));
}
