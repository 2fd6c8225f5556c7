import type { FeatureRow } from '../features/feature-encoder.js';
import type { LabelledCase } from './binary-model.js';

/**
 * The numeric features that alone split the labelled cases completely: every case of one label
 * below a value that every case of the other label is above. With complete separation
 * a logistic model's maximum likelihood estimate does not exist (Albert & Anderson 1984, "On the
 * existence of maximum likelihood estimates in logistic regression models", Biometrika 71): the
 * fit drives the coefficient towards infinity and scores certainties. On a CRM's history it is a
 * sign the field was written by the outcome (an amount set to 0 when a deal is lost), so the
 * feature says nothing about open deals. Only features known for at least `minEach` cases of
 * each label are judged; a sparse feature cannot be told from chance.
 *
 * @example
 * separatingFeatures(cases, 50); // ['amountRatio'] when every lost deal had 0 and every won one more
 */
export function separatingFeatures(cases: readonly LabelledCase[], minEach: number): string[] {
  const names = new Set(cases.flatMap((c) => Object.keys(c.row)));
  const found: string[] = [];
  for (const name of names) {
    const won = numbersOf(cases, name, 1);
    const lost = numbersOf(cases, name, 0);
    if (won.length < minEach || lost.length < minEach) continue;
    const [wonMin, wonMax] = range(won);
    const [lostMin, lostMax] = range(lost);
    // Strictly: a tie at the boundary (no slips among lost deals and some among won) is a
    // skewed feature, not a value written by the outcome.
    if (lostMax < wonMin || wonMax < lostMin) found.push(name);
  }
  return found.sort();
}

/** The cases' rows without the named features. */
export function withoutFeatures(
  cases: readonly LabelledCase[],
  features: readonly string[],
): LabelledCase[] {
  if (features.length === 0) return [...cases];
  return cases.map((c) => {
    const row: Record<string, FeatureRow[string]> = { ...c.row };
    for (const name of features) delete row[name];
    return { ...c, row };
  });
}

function numbersOf(cases: readonly LabelledCase[], name: string, label: 0 | 1): number[] {
  return cases.flatMap((c) => {
    const value = c.row[name];
    return c.label === label && typeof value === 'number' && Number.isFinite(value) ? [value] : [];
  });
}

function range(values: readonly number[]): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}
