import { validationError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';

/**
 * @internal VALIDATION when a money field, as it is about to be written, is not a safe integer
 * of minor units. The schemas check what callers give; this catches what rules derive (line
 * item totals, sums), so that no storage rounds it (SQLite's REAL) or refuses it (bigint).
 */
export function checkMoney(definition: AnyObjectDefinition, values: Record<string, unknown>): void {
  for (const field of definition.moneyFields ?? []) {
    const value = values[field];
    if (value == null || Number.isSafeInteger(value)) continue;
    throw validationError(
      definition.name,
      [field],
      `is ${String(value)}: money must be a whole number of minor units up to ${Number.MAX_SAFE_INTEGER}`,
      'unsafe_money',
    );
  }
}
