import { type KpiInterval, wilsonInterval } from '@rapport/core';

/** Conversions and labelled leads of one lead source. */
export interface SourceCount {
  readonly successes: number;
  readonly trials: number;
}

/** The fallback model: the conversion rate of each lead source (plain JSON). */
export interface SourceRates {
  readonly overall: SourceCount;
  readonly bySource: Readonly<Record<string, SourceCount>>;
}

/** A fallback score: the source's rate and its 95 % Wilson interval. */
export interface SourceRate {
  /** The source's rate, shrunk toward the overall rate by two pseudo-leads (never exactly 0 or 1). */
  readonly probability: number;
  /** Wilson score interval of the raw rate (Wilson 1927); null without labelled leads. */
  readonly interval: KpiInterval | null;
  /** The labelled leads it rests on. */
  readonly trials: number;
}

const noSource = '(none)';

/**
 * Counts conversions per lead source.
 *
 * @example
 * const rates = fitSourceRates([{ leadSource: 'Web', label: 1 }]);
 */
export function fitSourceRates(
  cases: readonly { readonly leadSource: string | null; readonly label: 0 | 1 }[],
): SourceRates {
  const bySource: Record<string, { successes: number; trials: number }> = {};
  let successes = 0;
  for (const c of cases) {
    const key = c.leadSource ?? noSource;
    const count = bySource[key] ?? { successes: 0, trials: 0 };
    count.successes += c.label;
    count.trials += 1;
    bySource[key] = count;
    successes += c.label;
  }
  return { overall: { successes, trials: cases.length }, bySource };
}

/** The rate of a source (the overall rate for one never seen). */
export function sourceRate(rates: SourceRates, leadSource: string | null): SourceRate {
  const { overall } = rates;
  const base = overall.trials > 0 ? overall.successes / overall.trials : 0.5;
  const count = rates.bySource[leadSource ?? noSource] ?? overall;
  return {
    probability: (count.successes + 2 * base) / (count.trials + 2),
    interval: wilsonInterval(count.successes, count.trials),
    trials: count.trials,
  };
}
