import type { AnyObjectDefinition } from './object-definition.js';

/**
 * @internal The field holding the currency of a record's money fields: `currency` where the
 * object has one, else the one its definition declares (`currencyField`: a lead's converted deal
 * currency), else none. A KPI's money sums go per currency by it, on the scan and in the rollups.
 */
export function currencyFieldOf(definition: AnyObjectDefinition): string | undefined {
  if ('currency' in definition.fields.shape) return 'currency';
  return definition.currencyField;
}
