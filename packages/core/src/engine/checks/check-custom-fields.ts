import { validationError } from '../../errors/rapport-error.js';
import { fromZodError } from '../../errors/zod-issues.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import type { ScopeState } from '../engine-state.js';

/**
 * The path of the first string (value or key) holding U+0000 inside a custom value, if any.
 * Custom schemas are the caller's own zod schemas, so the rule of core's text fields is applied
 * here too: PostgreSQL's jsonb cannot hold a NUL, SQLite would.
 */
function nulPath(value: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulPath(item, [...path, index]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = nulPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** @internal Parses custom values with the object's custom field schema (strict); no NUL in text. */
export function checkCustomFields(
  state: ScopeState,
  definition: AnyObjectDefinition,
  custom: Record<string, unknown>,
): Record<string, unknown> {
  const schema = state.engine.customSchemas[definition.name];
  let values = custom;
  if (schema) {
    const parsed = schema.safeParse(custom);
    if (!parsed.success) throw fromZodError(definition.name, parsed.error, ['custom']);
    values = parsed.data;
  }
  const path = nulPath(values, ['custom']);
  if (path) {
    throw validationError(definition.name, path, 'must not contain a NUL character', 'nul_char');
  }
  return values;
}
