import { RapportError, validationError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { opportunityObject } from '../../objects/standard-objects.js';
import type { ScopeState } from '../engine-state.js';
import { findVisible } from '../read/find-record.js';
import { canAccessOwner, requireAdmin, requireWriter } from '../visibility.js';

/**
 * @internal Throws FORBIDDEN for the readonly role and for objects only the engine writes: the
 * first step of every public write.
 */
export function requireWritable(state: ScopeState, definition: AnyObjectDefinition): void {
  requireWriter(state, `change ${definition.name} records`);
  if (definition.engineOnly) {
    throw new RapportError(
      'FORBIDDEN',
      `${definition.name} records are written by the engine only`,
      { object: definition.name },
    );
  }
}

/**
 * @internal Whether the actor may write a record with these values: never for the readonly role;
 * admins only for shared and assigned objects (quotas); an owner the actor may write for (see
 * `visibleOwners`) for owned ones; for the records that follow their opportunity, an
 * opportunity the actor sees (else the reference is unknown) and may write.
 */
export async function checkAccess(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Promise<void> {
  requireWriter(state, `change ${definition.name} records`);
  if (definition.access === 'shared' || definition.access === 'assigned') {
    requireAdmin(state, `change ${definition.name} records`);
  } else if (definition.access === 'owned') {
    const ownerId = values.ownerId;
    if (
      typeof ownerId === 'string' &&
      !(await canAccessOwner(state, definition.name, ownerId, 'write'))
    ) {
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
    if (!(await canAccessOwner(state, 'opportunity', String(parent.ownerId), 'write'))) {
      throw new RapportError(
        'FORBIDDEN',
        `${definition.name}: you may read opportunity ${parent.id} but not change it`,
        { object: definition.name },
      );
    }
  }
}
