import { hiddenFieldsOf } from '../objects/object-definition.js';
import type { ObjectName } from '../objects/standard-objects.js';
import { fieldsRead } from './kpi-fields-read.js';
import type { AnyKpiMeasure } from './kpi-measure.js';
import type { AnyKpiSource } from './kpi-source.js';

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
