import { fromZodError } from '../../errors/zod-issues.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import type { ScopeState } from '../engine-state.js';

/** @internal Parses custom values with the object's custom field schema (strict). */
export function checkCustomFields(
  state: ScopeState,
  definition: AnyObjectDefinition,
  custom: Record<string, unknown>,
): Record<string, unknown> {
  const schema = state.engine.customSchemas[definition.name];
  if (!schema) return custom;
  const parsed = schema.safeParse(custom);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error, ['custom']);
  return parsed.data;
}
