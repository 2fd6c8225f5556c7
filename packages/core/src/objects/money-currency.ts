import type { AnyObjectDefinition } from './object-definition.js';

/**
 * Objects whose money fields are in a currency held by another field than `currency`: a lead's
 * kept `convertedOpportunityAmount` is in its converted deal's currency. (A lead has no currency
 * of its own: a `currency` field would default every new lead to the base currency.)
 */
const currencyFields: Readonly<Record<string, string>> = {
  lead: 'convertedOpportunityCurrency',
};

/**
 * @internal The field holding the currency of a record's money fields: `currency` where the
 * object has one, else the object's declared one (a lead's converted deal currency), else none.
 * A KPI's money sums go per currency by it, on the scan and in the rollups alike.
 */
export function currencyFieldOf(definition: AnyObjectDefinition): string | undefined {
  if ('currency' in definition.fields.shape) return 'currency';
  return currencyFields[definition.name];
}
