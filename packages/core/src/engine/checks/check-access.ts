import { RapportError, validationError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { opportunityObject } from '../../objects/standard-objects.js';
import type { ScopeState } from '../engine-state.js';
import { findVisible } from '../read/find-record.js';
import { canSeeOwner, requireAdmin } from '../visibility.js';

/** @internal Throws FORBIDDEN for objects only the engine writes. */
export function requireWritable(definition: AnyObjectDefinition): void {
  if (definition.engineOnly) {
    throw new RapportError(
      'FORBIDDEN',
      `${definition.name} records are written by the engine only`,
      { object: definition.name },
    );
  }
}

/**
 * @internal Whether the actor may write a record with these values: admins only for shared
 * objects; an owner the actor sees for owned ones; an opportunity the actor sees for the records
 * that follow their opportunity.
 */
export async function checkAccess(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Promise<void> {
  if (definition.access === 'shared') {
    requireAdmin(state, `change ${definition.name} records`);
  } else if (definition.access === 'owned') {
    const ownerId = values.ownerId;
    if (typeof ownerId === 'string' && !(await canSeeOwner(state, ownerId))) {
      throw new RapportError(
        'FORBIDDEN',
        `${definition.name}: you may not write records owned by ${ownerId}`,
        { object: definition.name },
      );
    }
  } else if (typeof values.opportunityId === 'string') {
    const parent = await findVisible(state, opportunityObject, values.opportunityId);
    if (!parent) {
      throw validationError(
        definition.name,
        ['opportunityId'],
        'references no opportunity you can see',
        'unknown_reference',
      );
    }
  }
}
