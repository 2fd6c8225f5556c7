/** Formatting shared by the bench's reports (results.md and the console). */

/** `12.3 s` from 10 s up, `812 ms`, `4.20 ms` under 10 ms, `n/a` for a side not measured. */
export const ms = (value: number | undefined): string =>
  value === undefined
    ? 'n/a'
    : value >= 10_000
      ? `${(value / 1000).toFixed(1)} s`
      : `${value.toFixed(value < 10 ? 2 : 0)} ms`;

/** `42 MB`, or `n/a`. */
export const mb = (value: number | undefined): string =>
  value === undefined ? 'n/a' : `${value.toFixed(0)} MB`;

/** `100,000`. */
export const count = (n: number): string => n.toLocaleString('en');

/** A target's verdict, bold. */
export function verdict(met: boolean): string {
  return met ? '**met**' : '**missed**';
}

/** A ratio with two decimals, or `not run` when a side of it did not run. */
export const fixed = (value: number | undefined, digits = 2): string =>
  value === undefined ? 'not run' : value.toFixed(digits);
