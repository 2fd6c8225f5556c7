/**
 * The element at `index`, or a RangeError: indexing past the end is a bug in the caller, and
 * failing loudly beats computing on `undefined` (which `noUncheckedIndexedAccess` types as such).
 *
 * @example
 * at([1, 2, 3], 2); // 3
 */
export function at<T extends {} | null>(values: ArrayLike<T>, index: number): T {
  const value = values[index];
  if (value === undefined) throw new RangeError(`index ${index} outside 0..${values.length - 1}`);
  return value;
}
