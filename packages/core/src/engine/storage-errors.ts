import { RapportError } from '../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { DialectSql } from '../storage/storage-adapter.js';

/**
 * @internal Turns a driver error of a write into a RapportError: a taken unique key or a broken
 * foreign key is CONFLICT, as is a lost serialization race; anything else is rethrown as it is.
 */
export function translateStorageError(
  dialect: DialectSql,
  definition: AnyObjectDefinition,
  error: unknown,
  id?: string,
): never {
  const kind = dialect.classifyError(error);
  const about = id === undefined ? { object: definition.name } : { object: definition.name, id };
  if (kind === 'unique') {
    throw new RapportError(
      'CONFLICT',
      `${definition.name}: a record with this id or external id exists`,
      { ...about, cause: error },
    );
  }
  if (kind === 'foreign_key') {
    throw new RapportError(
      'CONFLICT',
      `${definition.name}: the record is referenced by or references a missing record`,
      { ...about, cause: error },
    );
  }
  if (kind === 'serialization') {
    throw new RapportError('CONFLICT', `${definition.name}: a concurrent write conflicted; retry`, {
      object: definition.name,
      cause: error,
    });
  }
  throw error;
}
