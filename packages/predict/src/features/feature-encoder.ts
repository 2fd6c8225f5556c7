/**
 * Turns named feature values into the numeric columns a model fits on: one-hot columns for
 * categories (rare values pooled as "other"), standardised numbers (missing ones at the mean,
 * plus a "missing" column when any are missing).
 *
 * @example
 * const encoder = fitEncoder([{ source: 'Web', touches: 2 }, { source: 'Event', touches: null }]);
 * encodeRow(encoder, { source: 'Web', touches: 3 });
 */

/** The value of one feature: a category, a number, or unknown. */
export type FeatureValue = string | number | null;

/** A case's features by name. */
export type FeatureRow = Readonly<Record<string, FeatureValue>>;

/** One column of the design matrix. */
export interface EncodedColumn {
  /** The feature the column comes from. */
  readonly feature: string;
  /** `category`: 1 when the value is `value`; `number`: the standardised value; `missing`: 1 when unknown. */
  readonly kind: 'category' | 'number' | 'missing';
  /** The category (for `category`). */
  readonly value?: string;
  /** Mean of the column over the training cases: what "average" means in an explanation. */
  readonly mean: number;
}

/** How a numeric feature is standardised. */
export interface NumericScale {
  readonly mean: number;
  readonly sd: number;
}

/** A fitted encoder (plain JSON). */
export interface FeatureEncoder {
  readonly columns: readonly EncodedColumn[];
  /** Scale per numeric feature. */
  readonly scales: Readonly<Record<string, NumericScale>>;
  /** Categories kept per categorical feature (others become `other`). */
  readonly categories: Readonly<Record<string, readonly string[]>>;
}

/** The category used for values seen fewer than `minCount` times, and for unknown ones. */
export const otherCategory = '(other)';

/** The category of a missing categorical value. */
export const missingCategory = '(none)';

/** Options of {@link fitEncoder}. */
export interface EncoderOptions {
  /** A category needs this many training cases to get its own column; default 5. */
  readonly minCount?: number;
}

function categoryOf(value: FeatureValue, kept: readonly string[] | undefined): string {
  if (value === null || value === '') return missingCategory;
  const text = String(value);
  return kept?.includes(text) ? text : otherCategory;
}

/**
 * Learns the columns from training rows. A feature whose values are all numbers (or null) is
 * numeric; any string makes it categorical.
 */
export function fitEncoder(
  rows: readonly FeatureRow[],
  options: EncoderOptions = {},
): FeatureEncoder {
  const minCount = options.minCount ?? 5;
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))].sort();
  const columns: EncodedColumn[] = [];
  const scales: Record<string, NumericScale> = {};
  const categories: Record<string, string[]> = {};
  for (const name of names) {
    const values = rows.map((row) => row[name] ?? null);
    const numeric = values.every((v) => v === null || typeof v === 'number');
    if (numeric) {
      const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (known.length === 0) continue;
      const mean = known.reduce((s, v) => s + v, 0) / known.length;
      const variance = known.reduce((s, v) => s + (v - mean) ** 2, 0) / known.length;
      const sd = Math.sqrt(variance) || 1;
      scales[name] = { mean, sd };
      // Missing values sit at the mean, so the standardised column averages 0 over known ones.
      columns.push({ feature: name, kind: 'number', mean: 0 });
      const missing = values.length - known.length;
      if (missing > 0)
        columns.push({ feature: name, kind: 'missing', mean: missing / values.length });
      continue;
    }
    const counts = new Map<string, number>();
    for (const value of values) {
      const text = value === null || value === '' ? missingCategory : String(value);
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    const kept = [...counts.entries()]
      .filter(([, count]) => count >= minCount)
      .map(([value]) => value)
      .sort();
    categories[name] = kept;
    const encoded = values.map((v) => categoryOf(v, kept));
    const present = [...new Set(encoded)].sort();
    // One level is the reference (no column), so the columns are not collinear with the bias.
    for (const value of present.slice(1)) {
      const mean = encoded.filter((v) => v === value).length / encoded.length;
      columns.push({ feature: name, kind: 'category', value, mean });
    }
  }
  return { columns, scales, categories };
}

/** The design-matrix row of one case. */
export function encodeRow(encoder: FeatureEncoder, row: FeatureRow): number[] {
  return encoder.columns.map((column) => {
    const value = row[column.feature] ?? null;
    if (column.kind === 'category')
      return categoryOf(value, encoder.categories[column.feature]) === column.value ? 1 : 0;
    const known = typeof value === 'number' && Number.isFinite(value);
    if (column.kind === 'missing') return known ? 0 : 1;
    const scale = encoder.scales[column.feature];
    return known && scale ? (value - scale.mean) / scale.sd : 0;
  });
}

/** The value a feature has for a row, as the model sees it (for explanations). */
export function encodedValue(
  encoder: FeatureEncoder,
  feature: string,
  row: FeatureRow,
): FeatureValue {
  const value = row[feature] ?? null;
  if (encoder.categories[feature]) return categoryOf(value, encoder.categories[feature]);
  return value;
}
