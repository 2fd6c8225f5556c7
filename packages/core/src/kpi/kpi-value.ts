/**
 * What a KPI computes for one period and group: a number, or an outcome that says why there is
 * none (`{ value: null, reason }`), or for a proportion its successes and trials (the engine adds
 * the 95% Wilson interval). Use {@link kpiRatio} and {@link kpiDivide}.
 *
 * @example
 * const value: KpiValue = won + lost > 0 ? won / (won + lost) : { value: null, reason: 'no closed opportunities' };
 */
export type KpiValue = number | KpiOutcome;

/**
 * A KPI value with its reason or its proportion.
 *
 * @example
 * const outcome: KpiOutcome = { value: null, reason: 'no quota in the period' };
 */
export interface KpiOutcome {
  /** The value, or null when it cannot be computed. */
  readonly value: number | null;
  /** Why `value` is null (`no closed opportunities`). */
  readonly reason?: string;
  /** For a proportion: the cases counted as success. */
  readonly successes?: number;
  /** For a proportion: all cases. */
  readonly trials?: number;
}

/**
 * A proportion `successes / trials`, or no value when there are no trials.
 *
 * @example
 * kpiRatio(2, 3); // { value: 0.666..., successes: 2, trials: 3 }
 * kpiRatio(0, 0, 'no closed opportunities'); // { value: null, reason: 'no closed opportunities', ... }
 */
export function kpiRatio(successes: number, trials: number, reason = 'no cases'): KpiOutcome {
  return trials > 0
    ? { value: successes / trials, successes, trials }
    : { value: null, reason, successes, trials };
}

/**
 * `numerator / denominator`, or no value (with the reason) when the denominator is 0 or unknown.
 *
 * @example
 * kpiDivide(revenue, wonCount, 'no won opportunities');
 */
export function kpiDivide(
  numerator: number | null,
  denominator: number | null,
  reason = 'no data',
): KpiOutcome {
  if (numerator === null || denominator === null || denominator === 0)
    return { value: null, reason };
  return { value: numerator / denominator };
}
