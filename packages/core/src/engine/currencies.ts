import { z } from 'zod';
import { RapportError, validationError } from '../errors/rapport-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import { currencyCodeSchema } from '../money/currency.js';
import { convertMinor, type Money } from '../money/money.js';
import { coreDbOf, nowOf, type ScopeState } from './engine-state.js';
import { loadTenant } from './load-tenant.js';
import { requireAdmin } from './roles.js';
import { inTransaction } from './transaction.js';

/**
 * An exchange rate: one unit of `currency` is `rate` units of the tenant's base currency.
 *
 * @example
 * const usd: ExchangeRate = { currency: 'USD', rate: 0.92, updatedAt: '2026-11-01T00:00:00.000Z' };
 */
export interface ExchangeRate {
  /** ISO 4217 code. */
  readonly currency: string;
  /** Units of the base currency per unit of `currency`. */
  readonly rate: number;
  /** ISO-8601 UTC. */
  readonly updatedAt: string;
}

const setRateSchema = z.object({
  currency: currencyCodeSchema,
  rate: z.number().positive().finite(),
});

/** @internal Sets (inserts or replaces) the rate of a currency. Admins only. */
export async function setRate(
  state: ScopeState,
  currency: string,
  rate: number,
): Promise<ExchangeRate> {
  requireAdmin(state, 'set exchange rates');
  const parsed = setRateSchema.safeParse({ currency, rate });
  if (!parsed.success) throw fromZodError('exchangeRate', parsed.error);
  return inTransaction(state, async (tx) => {
    const tenant = await loadTenant(tx);
    if (currency === tenant.baseCurrency) {
      throw validationError(
        'exchangeRate',
        ['currency'],
        `is the base currency; its rate is 1`,
        'base_currency',
      );
    }
    const updatedAt = nowOf(tx).toISOString();
    const db = coreDbOf(tx);
    const updated = await db
      .updateTable('exchangeRates')
      .set({ rate, updatedAt })
      .where('tenantId', '=', tx.tenantId)
      .where('currency', '=', currency)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      await db
        .insertInto('exchangeRates')
        .values({ tenantId: tx.tenantId, currency, rate, updatedAt })
        .execute();
    }
    return { currency, rate, updatedAt };
  });
}

/** @internal The tenant's exchange rates, by currency. */
export async function listRates(state: ScopeState): Promise<ExchangeRate[]> {
  const rows = await coreDbOf(state)
    .selectFrom('exchangeRates')
    .select(['currency', 'rate', 'updatedAt'])
    .where('tenantId', '=', state.tenantId)
    .orderBy('currency')
    .execute();
  return rows.map((row) => ({
    currency: String(row.currency),
    rate: Number(row.rate),
    updatedAt: String(row.updatedAt),
  }));
}

/** @internal Converts money to another currency (the base currency by default) through the base. */
export async function convertMoney(state: ScopeState, money: Money, to?: string): Promise<Money> {
  const tenant = await loadTenant(state);
  const target = to ?? tenant.baseCurrency;
  if (money.currency === target) return money;
  const rates = new Map((await listRates(state)).map((r) => [r.currency, r.rate]));
  rates.set(tenant.baseCurrency, 1);
  const fromRate = rates.get(money.currency);
  const toRate = rates.get(target);
  if (fromRate === undefined || toRate === undefined) {
    const missing = fromRate === undefined ? money.currency : target;
    throw new RapportError('VALIDATION', `no exchange rate for ${missing}`, {
      object: 'exchangeRate',
      issues: [
        {
          path: ['currency'],
          code: 'unknown_currency_rate',
          message: `no exchange rate for ${missing}`,
        },
      ],
    });
  }
  const inBase = convertMinor(money.amount, money.currency, tenant.baseCurrency, fromRate);
  return {
    amount: convertMinor(inBase, tenant.baseCurrency, target, 1 / toRate),
    currency: target,
  };
}
