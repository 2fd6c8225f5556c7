/**
 * @internal The item at `index`, or an error naming the index: for indexes the generator
 * computes within bounds, where a miss is a bug, not a case to handle.
 */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined)
    throw new Error(`generator: no item at index ${index} of ${items.length}`);
  return item;
}
