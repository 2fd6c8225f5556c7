/** @internal Whether two stored values are equal (JSON values by content, key order aside). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** @internal The values that differ from the previous record's, or undefined when none does. */
export function changedFields(
  values: Record<string, unknown>,
  previous: Record<string, unknown>,
): Record<string, unknown> | undefined {
  let changed: Record<string, unknown> | undefined;
  for (const key in values) {
    const value = values[key];
    if (sameValue(value, previous[key])) continue;
    changed ??= {};
    changed[key] = value;
  }
  return changed;
}
