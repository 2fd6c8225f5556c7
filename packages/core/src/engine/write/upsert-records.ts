import { RapportError, validationError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { requireWritable } from '../checks/check-access.js';
import type { ScopeState } from '../engine-state.js';
import { findManyByExternalId } from '../read/list-records.js';
import type { StoredRecord } from '../stored-record.js';
import { inTransaction } from '../transaction.js';
import { createRecords } from './create-records.js';
import { atIndex } from './issue-paths.js';
import { takeHistory, type WriteManyOptions } from './record-history.js';
import { applyUpdate } from './update-record.js';
import { writeSchemas } from './write-schemas.js';

/**
 * What `upsertMany` did.
 *
 * @example
 * const { created, updated, unchanged } = await scope.accounts.upsertMany(rows);
 */
export interface UpsertManyResult<TRecord> {
  /** The records, in input order. */
  readonly records: TRecord[];
  /** How many were new. */
  readonly created: number;
  /** How many existed and changed. */
  readonly updated: number;
  /** How many existed and were left as they were. */
  readonly unchanged: number;
}

/** The external ids of the inputs, by id; VALIDATION for a missing or repeated one. */
function externalIdsOf(
  definition: AnyObjectDefinition,
  inputs: readonly Record<string, unknown>[],
): Map<string, number> {
  const seen = new Map<string, number>();
  for (const [index, input] of inputs.entries()) {
    const externalId = input.externalId;
    if (typeof externalId !== 'string' || externalId.length === 0) {
      throw validationError(
        definition.name,
        [index, 'externalId'],
        'is required to upsert',
        'required',
      );
    }
    const earlier = seen.get(externalId);
    if (earlier !== undefined) {
      throw validationError(
        definition.name,
        [index, 'externalId'],
        `repeats the external id of input ${earlier}`,
        'duplicate_external_id',
      );
    }
    seen.set(externalId, index);
  }
  return seen;
}

/** Applies one input over the existing record it names (no write when nothing changes). */
async function updateExisting(
  state: ScopeState,
  definition: AnyObjectDefinition,
  current: StoredRecord,
  input: Record<string, unknown>,
  index: number,
): Promise<StoredRecord> {
  const { id: _id, ...patch } = input;
  const parsed = writeSchemas(definition).update.safeParse({ ...patch, version: current.version });
  if (!parsed.success) {
    throw atIndex(
      new RapportError('VALIDATION', `${definition.name}: invalid input`, {
        object: definition.name,
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
          code: issue.code,
          message: issue.message,
        })),
      }),
      index,
    );
  }
  const { version: _version, custom, ...parsedChanges } = parsed.data;
  // zod fills `.default()`s into keys a partial patch left out (a lead's status): only the keys
  // given are changes, else an upsert without that column would reset the stored value.
  const changes: Record<string, unknown> = {};
  for (const key in parsedChanges) {
    if (Object.hasOwn(patch, key)) changes[key] = parsedChanges[key];
  }
  // An input that restates the record changes nothing: not even the rules run (a converted
  // lead, frozen, is then left alone by a second import instead of refused).
  // Cast: the update schema validated `custom` as an optional record of the declared fields.
  const customValues = custom as Record<string, unknown> | undefined;
  if (
    Object.keys(changes).every((key) => changes[key] === current[key]) &&
    Object.keys(customValues ?? {}).every((key) => customValues?.[key] === current.custom[key])
  ) {
    return current;
  }
  try {
    return await applyUpdate(state, definition, current, changes, customValues);
  } catch (error) {
    throw atIndex(error, index);
  }
}

/**
 * @internal The public upsertMany, in one transaction: existing records are found with one
 * query per 1,000 external ids and updated (unchanged ones cost no write); the rest are created
 * in bulk. All or nothing; issue paths start with the input's index.
 */
export async function upsertRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  inputs: readonly Record<string, unknown>[],
  options?: WriteManyOptions,
): Promise<UpsertManyResult<StoredRecord>> {
  requireWritable(state, definition);
  const externalIds = externalIdsOf(definition, inputs);
  const histories = takeHistory(
    state,
    definition,
    inputs,
    inputs.map((_, index) => index),
    options,
  );
  return inTransaction(state, async (tx) => {
    const existing = await findManyByExternalId(tx, definition, [...externalIds.keys()]);
    const records: StoredRecord[] = new Array(inputs.length);
    const toCreate: { input: Record<string, unknown>; index: number }[] = [];
    let updated = 0;
    let unchanged = 0;
    for (const [index, input] of inputs.entries()) {
      const current = existing.get(String(input.externalId));
      if (!current) {
        toCreate.push({ input, index });
        continue;
      }
      const history = histories[index];
      if (history?.createdAt !== undefined && !sameInstant(history.createdAt, current.createdAt)) {
        throw validationError(
          definition.name,
          [index, 'createdAt'],
          `is ${current.createdAt} for the stored record: a record's creation date is set once, when it is created`,
          'created_at_set',
        );
      }
      // The taken input has no createdAt or createdBy: an existing record keeps its own.
      const patch = (history?.input ?? input) as Record<string, unknown>;
      const record = await updateExisting(tx, definition, current, patch, index);
      if (record === current) unchanged++;
      else updated++;
      records[index] = record;
    }
    const created = await createRecords(
      tx,
      definition,
      toCreate.map((item) => item.input),
      toCreate.map((item) => item.index),
      options,
    );
    for (const [position, record] of created.entries()) {
      const index = toCreate[position]?.index;
      if (index !== undefined) records[index] = record;
    }
    return { records, created: created.length, updated, unchanged };
  });
}

/** Whether two timestamps (as given, and as a storage returns them) are one instant. */
function sameInstant(given: string, stored: unknown): boolean {
  return new Date(given).getTime() === new Date(String(stored)).getTime();
}
