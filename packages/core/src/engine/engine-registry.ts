import type { Kysely } from 'kysely';
import { RapportError } from '../errors/rapport-error.js';
import type { AnyDatabase } from '../storage/migration-context.js';

const engines = new WeakMap<object, Kysely<AnyDatabase>>();

/** @internal Remembers an engine's kysely instance for {@link unscopedDatabase}. */
export function registerEngine(crm: object, db: Kysely<AnyDatabase>): void {
  engines.set(crm, db);
}

/**
 * The engine's own kysely instance, with no tenant or visibility scope: for storage tools that
 * work below the engine (bulk loaders of generated data, copies between storages), so they share
 * the engine's connection instead of opening a second driver on the same file. Application and
 * plugin code never needs it: scopes and `init(ctx)` give every read they may make.
 *
 * @example
 * import { unscopedDatabase } from '@rapport/core/storage';
 * import { generateCrmData, insertGeneratedData } from '@rapport/sample-data';
 *
 * await insertGeneratedData(unscopedDatabase(crm), generateCrmData({ tenantId: 'acme', pipelineId: 'default', seed: 1 }));
 */
export function unscopedDatabase(crm: object): Kysely<AnyDatabase> {
  const db = engines.get(crm);
  if (!db) throw new RapportError('UNSUPPORTED', 'unscopedDatabase needs an engine from createCrm');
  return db;
}
