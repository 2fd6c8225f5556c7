import type { CrmScope, ObjectName } from '@rapport/core';
import { isRapportError, standardObjects } from '@rapport/core';
import { InputError, UsageError } from '../errors/cli-errors.js';
import { repositoryOf, type Upserter } from './upsert-batch.js';

/**
 * The record a reference cell names by id or external id. A value that cannot be either (a NUL
 * inside) finds nothing here instead of failing the whole import: the engine then refuses the
 * row's field, with its line.
 */
async function lookUp(repository: Upserter, value: string): Promise<string | null> {
  try {
    return (
      (await repository.find(value))?.id ?? (await repository.findByExternalId(value))?.id ?? null
    );
  } catch (error) {
    if (isRapportError(error, 'VALIDATION')) return null;
    throw error;
  }
}

/** @internal Resolves reference fields given as external ids to record ids (cached). */
export function referenceResolver(
  scope: CrmScope,
  object: ObjectName,
  extra: Readonly<Record<string, string>> = {},
) {
  const references = { ...standardObjects[object].references, ...extra };
  const cache = new Map<string, string | null>();
  return async (input: Record<string, unknown>): Promise<void> => {
    for (const [field, target] of Object.entries(references)) {
      const value = input[field];
      if (typeof value !== 'string') continue;
      const key = `${target}:${value}`;
      let id = cache.get(key);
      if (id === undefined) {
        // Cast: the mapping's object was checked against the object names when the mapping was read.
        id = await lookUp(repositoryOf(scope, target as ObjectName), value);
        if (cache.size > 100_000) cache.clear();
        cache.set(key, id);
      }
      // An unknown value stays as given: the engine then names the field in its error.
      if (id) input[field] = id;
    }
  };
}

/** @internal The user `--owner` names, by id or external id; UsageError for an object without owner. */
export async function resolveOwner(
  scope: CrmScope,
  object: ObjectName,
  owner: string | undefined,
): Promise<string | undefined> {
  if (owner === undefined) return undefined;
  if (!('ownerId' in standardObjects[object].fields.shape)) {
    throw new UsageError(`--owner: ${object} records have no owner`);
  }
  const user = (await scope.users.find(owner)) ?? (await scope.users.findByExternalId(owner));
  if (!user) throw new InputError(`--owner: no user with id or external id "${owner}"`);
  return user.id;
}
