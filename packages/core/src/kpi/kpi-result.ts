import type { Period } from '../periods/period.js';
import type { KpiDirection, KpiTitles, KpiUnit } from './kpi-info.js';

/**
 * A 95% confidence interval of a proportion (Wilson score interval).
 *
 * @example
 * const interval: KpiInterval = { lower: 0.21, upper: 0.94, level: 0.95 }; // 2 of 3
 */
export interface KpiInterval {
  /** Lower bound, 0..1. */
  readonly lower: number;
  /** Upper bound, 0..1. */
  readonly upper: number;
  /** The confidence level: 0.95. */
  readonly level: number;
}

/**
 * The same KPI in the previous period.
 *
 * @example
 * result.previous?.relativeChange; // 0.1 = 10% better than the period before
 */
export interface KpiComparison {
  /** The previous period. */
  readonly period: Period;
  /** Its value (null when it had no data). */
  readonly value: number | null;
  /** Why `value` is null. */
  readonly reason: string | null;
  /** Its sample size. */
  readonly sampleSize: number;
  /** `value - previous`; null unless both exist. */
  readonly change: number | null;
  /** `(value - previous) / |previous|`; null unless both exist and previous is not 0. */
  readonly relativeChange: number | null;
}

/**
 * A KPI's value for one period and one group (or the total).
 *
 * @example
 * const { value, reason, sampleSize, interval, previous }: KpiFigure = result;
 */
export interface KpiFigure {
  /** The value; null when there is no data (see `reason`): never a division by zero. */
  readonly value: number | null;
  /** Why `value` is null. */
  readonly reason: string | null;
  /** How many cases it rests on (closed deals for a win rate). */
  readonly sampleSize: number;
  /** For proportions: the 95% Wilson score interval; else null. */
  readonly interval: KpiInterval | null;
  /** The previous period; null for snapshots, `all`, or `compare: false`. */
  readonly previous: KpiComparison | null;
}

/**
 * One group of a breakdown.
 *
 * @example
 * for (const group of result.breakdown ?? []) console.log(group.label, group.value);
 */
export interface KpiGroupResult extends KpiFigure {
  /** The group's key: an owner id, a stage name, a custom field value; null for "none". */
  readonly key: string | null;
  /** A label for the key (owner name, product name); the key when it has no other name. */
  readonly label: string | null;
}

/**
 * The result of one KPI: its total for the period with the comparison and, when asked for, the
 * breakdown. List KPIs also return their `items`.
 *
 * @example
 * const { 'closing.winRate': winRate } = await scope.kpis.evaluate(['closing.winRate'], { period: '2026-Q1' });
 * winRate.value; // 0.42
 * winRate.interval; // { lower: 0.31, upper: 0.54, level: 0.95 }
 */
export interface KpiResult<TId extends string = string, TItem = never> extends KpiFigure {
  /** The KPI id. */
  readonly id: TId;
  /** Its group. */
  readonly group: string;
  /** Its titles. */
  readonly title: KpiTitles;
  /** Its unit. */
  readonly unit: KpiUnit;
  /** Which way is good. */
  readonly direction: KpiDirection;
  /** For money: the base currency the minor units are in; else null. */
  readonly currency: string | null;
  /** The period evaluated. */
  readonly period: Period;
  /** Groups by the requested dimension, largest sample first; null without `by`. */
  readonly breakdown: readonly KpiGroupResult[] | null;
  /**
   * The records behind a list KPI (the current period's total), the page the evaluation asked
   * for (`items: { limit, offset }`, 100 from the first by default); empty for other KPIs.
   */
  readonly items: readonly TItem[];
  /** How many records are behind a list KPI in all (of which `items` is a page); 0 for others. */
  readonly itemCount: number;
}

const z95 = 1.959963984540054;

/**
 * The 95% Wilson score interval of `successes` out of `trials`; null when there are no trials.
 * Unlike the normal approximation it stays in [0, 1] and is honest for small samples.
 *
 * @example
 * wilsonInterval(2, 3); // { lower: 0.2077, upper: 0.9385, level: 0.95 }
 */
export function wilsonInterval(successes: number, trials: number): KpiInterval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z95 * z95;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or all successes the bound is exactly 0 or 1; the formula would leave float dust.
  return {
    lower: successes === 0 ? 0 : Math.max(0, center - half),
    upper: successes === trials ? 1 : Math.min(1, center + half),
    level: 0.95,
  };
}
