import { RapportError, type RapportIssue, validationError } from '../errors/rapport-error.js';
import { newId } from '../ids/id.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import { dbOf, type ScopeState } from './engine-state.js';
import {
  applyUpdate,
  buildRecord,
  cacheRecord,
  checkReferencesMany,
  finishInsert,
  fromRow,
  type InsertMeta,
  requireWritable,
  schemasOf,
  splitMeta,
  writeRows,
} from './object-repository.js';
import type { StoredRecord } from './object-rules.js';
import { inTransaction } from './transaction.js';
import { visibilityCondition } from './visibility.js';

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

const maxIssues = 100;

/** Prefixes a RapportError's issue paths with the index of the input that caused it. */
function atIndex(error: unknown, index: number): unknown {
  if (!(error instanceof RapportError)) return error;
  return new RapportError(error.code, `[${index}] ${error.message}`, {
    issues: error.issues.map((issue) => ({ ...issue, path: [index, ...issue.path] })),
    ...(error.object === undefined ? {} : { object: error.object }),
    ...(error.id === undefined ? {} : { id: error.id }),
    cause: error,
  });
}

function parseAll(
  definition: AnyObjectDefinition,
  inputs: readonly unknown[],
  indexes: readonly number[],
): ({ values: Record<string, unknown>; id: string | undefined } & Omit<InsertMeta, 'id'>)[] {
  const schema = schemasOf(definition).create;
  const issues: RapportIssue[] = [];
  const parsed = inputs.map((input, position) => {
    const result = schema.safeParse(input);
    if (!result.success) {
      const index = indexes[position] ?? position;
      for (const issue of result.error.issues) {
        if (issues.length >= maxIssues) break;
        const path = [index, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
        issues.push(
          issue.code === 'unrecognized_keys'
            ? { path, code: 'unknown_field', message: `unknown field(s): ${issue.keys.join(', ')}` }
            : { path, code: issue.code, message: issue.message },
        );
      }
      return undefined;
    }
    const { id, externalId, custom, values } = splitMeta(result.data as Record<string, unknown>);
    return {
      values,
      id: typeof id === 'string' ? id : undefined,
      externalId: (externalId as string | null | undefined) ?? null,
      custom: (custom as Record<string, unknown> | undefined) ?? {},
    };
  });
  if (issues.length > 0) {
    const shown = issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new RapportError('VALIDATION', `${definition.name}: ${shown.join('; ')}`, {
      object: definition.name,
      issues,
    });
  }
  return parsed.filter((item) => item !== undefined);
}

/**
 * @internal Creates many records in one transaction: each is validated and runs its rules and
 * hooks, references are checked with one query per table, and rows are written with multi-row
 * inserts. All or nothing; issue paths start with the input's index.
 */
export async function createRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  inputs: readonly unknown[],
  indexes: readonly number[] = inputs.map((_, index) => index),
): Promise<StoredRecord[]> {
  requireWritable(definition);
  const items = parseAll(definition, inputs, indexes);
  return inTransaction(state, (tx) =>
    insertRecords(
      tx,
      definition,
      items.map((item) => ({
        values: item.values,
        meta: {
          id: item.id ?? newId(tx.engine.now().getTime()),
          externalId: item.externalId,
          custom: item.custom,
        },
      })),
      indexes,
    ),
  );
}

/** @internal Inserts many trusted records (engine paths such as stage history use it too). */
export async function insertRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  items: readonly { readonly values: Record<string, unknown>; readonly meta: InsertMeta }[],
  indexes: readonly number[] = items.map((_, index) => index),
): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for (const [position, item] of items.entries()) {
    try {
      records.push(await buildRecord(state, definition, item.values, item.meta));
    } catch (error) {
      throw atIndex(error, indexes[position] ?? position);
    }
  }
  try {
    await checkReferencesMany(state, definition, records);
  } catch (error) {
    if (!(error instanceof RapportError)) throw error;
    throw new RapportError(error.code, error.message, {
      issues: error.issues.map((issue) => {
        const [position, ...rest] = issue.path;
        return { ...issue, path: [indexes[Number(position)] ?? Number(position), ...rest] };
      }),
      object: definition.name,
    });
  }
  await writeRows(state, definition, records);
  const rules = state.engine.rules[definition.name];
  if (rules?.afterCreateMany) {
    for (const record of records) cacheRecord(state, definition, record);
    await rules.afterCreateMany(state, records);
  }
  for (const record of records)
    await finishInsert(state, definition, record, { rules: !rules?.afterCreateMany });
  return records;
}

/**
 * @internal Creates or updates many records by external id in one transaction. Existing records
 * are found with one query per 1,000 ids; unchanged ones cost no write.
 */
export async function upsertRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  inputs: readonly Record<string, unknown>[],
): Promise<UpsertManyResult<StoredRecord>> {
  requireWritable(definition);
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
  return inTransaction(state, async (tx) => {
    const existing = await findManyByExternalId(tx, definition, [...seen.keys()]);
    const records: StoredRecord[] = new Array(inputs.length);
    const toCreate: { input: Record<string, unknown>; index: number }[] = [];
    let updated = 0;
    let unchanged = 0;
    const updateSchema = schemasOf(definition).update;
    for (const [index, input] of inputs.entries()) {
      const current = existing.get(String(input.externalId));
      if (!current) {
        toCreate.push({ input, index });
        continue;
      }
      const { id: _id, ...patch } = input;
      const parsed = updateSchema.safeParse({ ...patch, version: current.version });
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
      const { version: _version, custom, ...changes } = parsed.data as Record<string, unknown>;
      try {
        const record = await applyUpdate(
          tx,
          definition,
          current,
          changes,
          custom as Record<string, unknown> | undefined,
        );
        if (record === current) unchanged++;
        else updated++;
        records[index] = record;
      } catch (error) {
        throw atIndex(error, index);
      }
    }
    const created = await createRecords(
      tx,
      definition,
      toCreate.map((item) => item.input),
      toCreate.map((item) => item.index),
    );
    for (const [position, record] of created.entries()) {
      const index = toCreate[position]?.index;
      if (index !== undefined) records[index] = record;
    }
    return { records, created: created.length, updated, unchanged };
  });
}

async function findManyByExternalId(
  state: ScopeState,
  definition: AnyObjectDefinition,
  externalIds: readonly string[],
): Promise<Map<string, StoredRecord>> {
  const found = new Map<string, StoredRecord>();
  const visible = await visibilityCondition(state, definition, 't');
  for (let start = 0; start < externalIds.length; start += 1000) {
    let query = dbOf(state)
      .selectFrom(`${definition.table} as t`)
      .selectAll('t')
      .where('t.tenantId', '=', state.tenantId)
      .where('t.externalId', 'in', externalIds.slice(start, start + 1000));
    if (visible) query = query.where(visible);
    for (const row of await query.execute()) {
      const record = fromRow(state, definition, row);
      found.set(String(record.externalId), record);
    }
  }
  return found;
}
