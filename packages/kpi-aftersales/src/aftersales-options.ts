import { RapportError } from '@rapport/core';

/**
 * Options of the aftersales plugin.
 *
 * @example
 * const options: AftersalesOptions = { grossMargin: 0.7 };
 */
export interface AftersalesOptions {
  /**
   * Gross margin on recurring revenue, in (0, 1]: the share of revenue left after the cost of
   * serving it. Predictive lifetime value multiplies by it. Default {@link defaultGrossMargin}.
   */
  readonly grossMargin?: number;
}

/**
 * The gross margin predictive lifetime value assumes unless told otherwise: 80%, typical of
 * software sold by subscription.
 *
 * @example
 * createAftersalesPlugin({ grossMargin: defaultGrossMargin });
 */
export const defaultGrossMargin = 0.8;

/**
 * The gross margin of the options, checked: a VALIDATION error unless it is in (0, 1].
 *
 * @example
 * grossMarginOf({}); // 0.8
 */
export function grossMarginOf(options: AftersalesOptions): number {
  const margin = options.grossMargin ?? defaultGrossMargin;
  if (!Number.isFinite(margin) || margin <= 0 || margin > 1) {
    throw new RapportError('VALIDATION', `grossMargin must be in (0, 1], got ${margin}`, {
      issues: [{ path: ['grossMargin'], message: 'must be in (0, 1]', code: 'out_of_range' }],
    });
  }
  return margin;
}
