/**
 * What a KPI's value is measured in. `money` values are minor units of the tenant's base
 * currency; `duration` values are days; `ratio` values are fractions (0.63, not 63).
 *
 * @example
 * const unit: KpiUnit = 'ratio';
 */
export type KpiUnit = 'money' | 'ratio' | 'count' | 'duration' | 'number';

/**
 * Which way is good: a rising win rate is `higher`, a rising sales cycle is `lower`.
 *
 * @example
 * const direction: KpiDirection = 'lower'; // a shorter sales cycle is better
 */
export type KpiDirection = 'higher' | 'lower' | 'neutral';

/**
 * Dimensions a KPI can be broken down and filtered by. `custom` means any custom field of the
 * KPI's object (`custom.industryTier` in a breakdown). `product` of an opportunity is its main
 * product: the line item with the largest total (so a breakdown never counts a deal twice).
 *
 * @example
 * kpiDimensions.includes('owner'); // true
 */
export const kpiDimensions = [
  'owner',
  'team',
  'product',
  'productFamily',
  'leadSource',
  'campaign',
  'stage',
  'accountSegment',
  'lostReason',
  'custom',
] as const;

/**
 * One of {@link kpiDimensions}.
 *
 * @example
 * const dimensions: readonly KpiDimension[] = ['owner', 'team', 'custom'];
 */
export type KpiDimension = (typeof kpiDimensions)[number];

/**
 * What `by` and `filters` name: a dimension, or `custom.<field>` where a KPI supports `custom`.
 *
 * @example
 * const by: KpiBreakdown = 'custom.industryTier';
 */
export type KpiBreakdown<TDimension extends KpiDimension = KpiDimension> =
  | Exclude<TDimension, 'custom'>
  | ('custom' extends TDimension ? `custom.${string}` : never);

/**
 * Titles in the languages Rapport ships.
 *
 * @example
 * const title: KpiTitles = { en: 'Win rate', de: 'Gewinnquote' };
 */
export interface KpiTitles {
  readonly en: string;
  readonly de: string;
}

/**
 * What every KPI says about itself.
 *
 * @example
 * const info: KpiInfo = winRate; // id, group, titles, unit, direction, dimensions
 */
export interface KpiInfo<
  TId extends string = string,
  TDimension extends KpiDimension = KpiDimension,
> {
  /** Stable id, `group.name`: `closing.winRate`. */
  readonly id: TId;
  /** The group (plugin) it belongs to: `closing`. */
  readonly group: string;
  /** Titles. */
  readonly title: KpiTitles;
  /** What it means, with the formula. */
  readonly description: string;
  /** What the value is measured in. */
  readonly unit: KpiUnit;
  /** Which way is good. */
  readonly direction: KpiDirection;
  /** What it can be broken down and filtered by. */
  readonly dimensions: readonly TDimension[];
  /** Where the definition comes from (a book, a vendor's glossary), for docs/kpis.md. */
  readonly reference?: string;
}
