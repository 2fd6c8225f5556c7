import { sql } from 'kysely';
import { RapportError, type RapportIssue } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { dbOf, type ScopeState } from '../engine-state.js';
import { findVisible } from '../read/find-record.js';
import type { StoredRecord } from '../stored-record.js';
import { visibilityCondition, visibleOwners } from '../visibility.js';

/**
 * Whether the actor's reads of the target are narrowed by visibility: then a reference must be
 * to a record the actor can see (Salesforce's rule for lookups), and the tenant-wide cache of
 * known ids cannot answer for it.
 */
async function restricted(state: ScopeState, target: AnyObjectDefinition): Promise<boolean> {
  return target.access !== 'shared' && (await visibleOwners(state, target.name)) !== 'all';
}

/**
 * @internal Whether a record id exists in the tenant (cached for the transaction, and between
 * transactions when the engine's shared cache is valid).
 */
export async function referenceExists(
  state: ScopeState,
  table: string,
  id: string,
): Promise<boolean> {
  const cache = state.tx?.cache;
  if (cache?.isKnown(table, id)) return true;
  const row = await dbOf(state)
    .selectFrom(table)
    .select('id')
    .where('tenantId', '=', state.tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row) cache?.rememberReadId(table, id);
  return row !== undefined;
}

function referenceError(definition: AnyObjectDefinition, issues: RapportIssue[]): RapportError {
  const shown = issues.slice(0, 5).map((i) => `${i.path.join('.')} ${i.message}`);
  return new RapportError('VALIDATION', `${definition.name}: ${shown.join('; ')}`, {
    object: definition.name,
    issues,
  });
}

/**
 * Which of `wanted` (table and id) exist in the tenant, in one statement: a create references an
 * account, an owner and a pipeline, and on a server each lookup is a round trip.
 */
async function existing(
  state: ScopeState,
  wanted: readonly { readonly table: string; readonly id: string }[],
): Promise<Set<number>> {
  const db = dbOf(state);
  const lookups = wanted.map(({ table, id }, index) =>
    db
      .selectFrom(table)
      .select(sql.lit(index).as('wanted'))
      .where('tenantId', '=', state.tenantId)
      .where('id', '=', id),
  );
  const [first, ...rest] = lookups;
  if (!first) return new Set();
  const rows = await rest.reduce((union, lookup) => union.unionAll(lookup), first).execute();
  const found = new Set(rows.map((row) => Number(row.wanted)));
  const cache = state.tx?.cache;
  for (const index of found) {
    const reference = wanted[index];
    if (reference) cache?.rememberReadId(reference.table, reference.id);
  }
  return found;
}

/**
 * @internal Every reference of the values must name a record of the tenant; a reference equal
 * to the previous record's is not checked again. References the actor's visibility narrows are
 * looked up one by one; the others, when not known already, in one statement together.
 */
export async function checkReferences(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
  previous: StoredRecord | undefined,
): Promise<void> {
  const issues: RapportIssue[] = [];
  const cache = state.tx?.cache;
  const unknown: { field: string; target: string; table: string; id: string }[] = [];
  const missing = (field: string, target: string, id: string) =>
    issues.push({
      path: [field],
      code: 'unknown_reference',
      message: `references no ${target} ${id} in this tenant`,
    });
  for (const [field, target] of Object.entries(definition.references)) {
    const value = values[field];
    if (value == null || (previous && previous[field] === value)) continue;
    const targetDefinition = state.engine.objects[target];
    if (!targetDefinition) continue;
    const id = String(value);
    if (await restricted(state, targetDefinition)) {
      // An invisible record gets the same issue as a missing one, so nothing leaks.
      if ((await findVisible(state, targetDefinition, id)) === undefined)
        missing(field, target, id);
    } else if (!cache?.isKnown(targetDefinition.table, id)) {
      unknown.push({ field, target, table: targetDefinition.table, id });
    }
  }
  const found = await existing(state, unknown);
  unknown.forEach(({ field, target, id }, index) => {
    if (!found.has(index)) missing(field, target, id);
  });
  if (issues.length > 0) {
    // Issues in the order of the definition's references, whichever way each was checked.
    const order = Object.keys(definition.references);
    issues.sort((a, b) => order.indexOf(String(a.path[0])) - order.indexOf(String(b.path[0])));
    throw referenceError(definition, issues);
  }
}

/**
 * @internal Checks the references of many new records with one query per referenced table and
 * chunk of ids; issues name the record's index.
 */
export async function checkReferencesMany(
  state: ScopeState,
  definition: AnyObjectDefinition,
  records: readonly StoredRecord[],
): Promise<void> {
  const issues: RapportIssue[] = [];
  const cache = state.tx?.cache;
  for (const [field, target] of Object.entries(definition.references)) {
    const targetDefinition = state.engine.objects[target];
    if (!targetDefinition) continue;
    const table = targetDefinition.table;
    // Rows of one batch may reference each other (a parent account): one statement checks them.
    const inBatch = table === definition.table ? new Set(records.map((r) => r.id)) : undefined;
    const narrowed = await restricted(state, targetDefinition);
    const visible = narrowed ? await visibilityCondition(state, targetDefinition, 't') : undefined;
    const isKnown = narrowed ? undefined : cache?.knownIdsOf(table);
    const wanted = new Set<string>();
    for (const record of records) {
      const value = record[field];
      if (
        typeof value === 'string' &&
        !wanted.has(value) &&
        !inBatch?.has(value) &&
        !isKnown?.(value)
      )
        wanted.add(value);
    }
    const found = new Set<string>();
    const ids = [...wanted];
    for (let start = 0; start < ids.length; start += 1000) {
      let query = dbOf(state)
        .selectFrom(`${table} as t`)
        .select('t.id')
        .where('t.tenantId', '=', state.tenantId)
        .where('t.id', 'in', ids.slice(start, start + 1000));
      if (visible) query = query.where(visible);
      const rows = await query.execute();
      for (const row of rows) {
        const id = String(row.id);
        found.add(id);
        cache?.rememberReadId(table, id);
      }
    }
    for (const [index, record] of records.entries()) {
      const value = record[field];
      if (typeof value !== 'string' || !wanted.has(value) || found.has(value)) continue;
      issues.push({
        path: [index, field],
        code: 'unknown_reference',
        message: `references no ${target} ${value} in this tenant`,
      });
    }
  }
  if (issues.length > 0) throw referenceError(definition, issues);
}
