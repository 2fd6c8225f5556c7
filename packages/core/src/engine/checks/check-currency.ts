import { validationError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { coreDbOf, type ScopeState } from '../engine-state.js';
import { loadTenant } from '../visibility.js';

/** @internal A currency must be the tenant's base currency or have an exchange rate to it. */
export async function checkCurrency(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Promise<void> {
  const currency = values.currency;
  if (typeof currency !== 'string') return;
  const tenant = await loadTenant(state);
  if (currency === tenant.baseCurrency) return;
  const cache = state.tx?.cache;
  if (cache?.isKnown('exchangeRates', currency)) return;
  const rate = await coreDbOf(state)
    .selectFrom('exchangeRates')
    .select('rate')
    .where('tenantId', '=', state.tenantId)
    .where('currency', '=', currency)
    .executeTakeFirst();
  if (!rate) {
    throw validationError(
      definition.name,
      ['currency'],
      `has no exchange rate to the base currency ${tenant.baseCurrency}; set one with scope.currencies.setRate`,
      'unknown_currency_rate',
    );
  }
  // Rates are never deleted, but one set in this transaction may roll back: not shared.
  cache?.rememberWrittenId('exchangeRates', currency);
}
