import { CompiledQuery, type SqlBool, sql } from 'kysely';
import { dbOf, type EngineState, type ScopeState } from '../engine/engine-state.js';
import type { RecordUpkeep } from '../engine/record-upkeep.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import {
  cellAmounts,
  cellKey,
  contributionMonths,
  contributions,
  type RollupMonths,
} from './rollup-cells.js';
import {
  addFactContributions,
  allInMemory,
  factRecordDeltas,
  lockParent,
  moveChildren,
  moveParent,
  partitionFacts,
} from './rollup-child-upkeep.js';
import type { RollupDefinition, RollupPlan } from './rollup-definition.js';
import {
  addRows,
  applyDeltas,
  type Deltas,
  flushDeltas,
  type RowRollup,
  rowRollupOf,
} from './rollup-deltas.js';
import { tenantZone } from './rollup-zone.js';

/** Ids per statement: each id is a bound parameter, far below every dialect's limit. */
const idsPerStatement = 500;

const tenantMarker = '\u0000rollup-tenant';
const idMarker = '\u0000rollup-id:';

/** The upsert of the contributions of `ids` rows (or every row) into the cells, as kysely builds it. */
function upsertQuery(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  ids: readonly string[] | undefined,
  sign: 1 | -1,
  months?: RollupMonths,
  idColumn = 'id',
) {
  const db = dbOf(state);
  const [first, ...rest] = rollups.map((rollup) =>
    contributions(state, rollup, ids, sign, months, idColumn),
  );
  if (!first) return undefined;
  const union = rest.reduce((all, query) => all.unionAll(query), first);
  // SQLite needs a WHERE in an INSERT ... SELECT with an upsert clause, to parse it.
  const rows = db.selectFrom(union.as('d')).selectAll('d').where(sql<SqlBool>`1 = 1`);
  return db
    .insertInto('rollupCells')
    .columns(['tenantId', ...cellKey, ...cellAmounts])
    .expression(rows)
    .onConflict((conflict) =>
      conflict
        .columns(['tenantId', ...cellKey])
        .doUpdateSet(
          Object.fromEntries(
            cellAmounts.map((column) => [
              column,
              sql`${sql.ref(`rollupCells.${column}`)} + ${sql.ref(`excluded.${column}`)}`,
            ]),
          ),
        ),
    );
}

/** Compiled upserts by rollup list, sign and number of ids: building one cost more than running it. */
const compiledByRollups = new WeakMap<readonly RollupDefinition[], Map<string, CompiledQuery>>();

/**
 * The upsert for `count` ids, compiled once with markers where the tenant and the ids are bound
 * (every other parameter is part of the rollups' definitions), or undefined when kysely bound a
 * marker where it was not expected.
 */
function compiledUpsert(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  count: number,
  sign: 1 | -1,
): CompiledQuery | undefined {
  let byShape = compiledByRollups.get(rollups);
  if (!byShape) {
    byShape = new Map();
    compiledByRollups.set(rollups, byShape);
  }
  const key = `${sign}:${count}`;
  let compiled = byShape.get(key);
  if (!compiled) {
    const marked: ScopeState = { ...state, tenantId: tenantMarker, tx: undefined };
    const ids = Array.from({ length: count }, (_, i) => `${idMarker}${i}`);
    compiled = upsertQuery(marked, rollups, ids, sign)?.compile();
    if (!compiled) return undefined;
    if (byShape.size >= 64) byShape.clear();
    byShape.set(key, compiled);
  }
  return compiled;
}

function bind(compiled: CompiledQuery, tenantId: string, ids: readonly string[]): CompiledQuery {
  const parameters = compiled.parameters.map((parameter) => {
    if (parameter === tenantMarker) return tenantId;
    if (typeof parameter === 'string' && parameter.startsWith(idMarker))
      return ids[Number(parameter.slice(idMarker.length))];
    return parameter;
  });
  return CompiledQuery.raw(compiled.sql, parameters);
}

/**
 * @internal Adds the contributions of the rows with `ids` (times `sign`) into the rollups'
 * cells; with `idColumn` the ids are of that column (`opportunityId`: every row of those deals).
 */
export async function addContributions(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  ids: readonly string[] | undefined,
  sign: 1 | -1,
  idColumn = 'id',
): Promise<void> {
  if (rollups.length === 0) return;
  const facts = ids === undefined ? [] : rollups.filter((rollup) => rollup.facts);
  if (ids !== undefined && facts.length > 0) {
    await addFactContributions(state, facts, ids, sign, idColumn);
    const rest = rollups.filter((rollup) => !rollup.facts);
    if (rest.length > 0) await addContributions(state, rest, ids, sign, idColumn);
    return;
  }
  if (ids === undefined) {
    const months = await contributionMonths(state, rollups, undefined);
    await upsertQuery(state, rollups, undefined, sign, months)?.execute();
    return;
  }
  for (let i = 0; i < ids.length; i += idsPerStatement) {
    const chunk = ids.slice(i, i + idsPerStatement);
    const months = await contributionMonths(state, rollups, chunk, idColumn);
    if (months.size > 0 || idColumn !== 'id') {
      // The month bounds depend on the rows and the zone: built for these ids, not cached.
      await upsertQuery(state, rollups, chunk, sign, months, idColumn)?.execute();
      continue;
    }
    const compiled = compiledUpsert(state, rollups, chunk.length, sign);
    if (compiled) await dbOf(state).executeQuery(bind(compiled, state.tenantId, chunk));
  }
}

const plans = new WeakMap<EngineState, RollupPlan>();

/** @internal Turns rollups on for an engine: its writes keep them and its KPIs read them. */
export function keepRollups(engine: EngineState, plan: RollupPlan): void {
  plans.set(engine, plan);
}

/** @internal The rollups an engine keeps, or undefined when rollups are off. */
export function keptRollupsOf(engine: EngineState): RollupPlan | undefined {
  return plans.get(engine);
}

/** @internal The rollups a write of `definition` keeps (none when rollups are off). */
export function rollupsOf(state: ScopeState, definition: AnyObjectDefinition) {
  return plans.get(state.engine)?.byObject.get(definition.name) ?? [];
}

/**
 * @internal The rollups an update of these fields moves a record in: none when no field a
 * rollup reads changed (most edits: names, next steps, descriptions).
 */
export function rollupsChangedBy(
  state: ScopeState,
  definition: AnyObjectDefinition,
  changed: Readonly<Record<string, unknown>>,
  customChanged: boolean,
): readonly RollupDefinition[] {
  const rollups = rollupsOf(state, definition);
  if (rollups.length === 0) return rollups;
  const fields = plans.get(state.engine)?.fieldsByObject.get(definition.name);
  if (!fields) return [];
  if (customChanged && fields.has('custom')) return rollups;
  for (const field in changed) if (fields.has(field)) return rollups;
  return [];
}

/** @internal Rollups split by who computes a record's contribution: JavaScript, or SQL. */
export interface SplitRollups {
  readonly rows: readonly RowRollup[];
  readonly sql: readonly RollupDefinition[];
}

const splits = new WeakMap<readonly RollupDefinition[], SplitRollups>();

/** @internal The rollups whose contribution the record gives (most), and those SQL must read. */
export function splitRollups(rollups: readonly RollupDefinition[]): SplitRollups {
  let split = splits.get(rollups);
  if (!split) {
    const rows: RowRollup[] = [];
    const inSql: RollupDefinition[] = [];
    for (const rollup of rollups) {
      const row = rowRollupOf(rollup);
      if (row) rows.push(row);
      else inSql.push(rollup);
    }
    split = { rows, sql: inSql };
    splits.set(rollups, split);
  }
  return split;
}

/**
 * @internal Adds (or, with -1, removes) stored records' contributions: added up in memory and
 * upserted once (a bulk import writes one statement per 2,000 cells, not one per row).
 */
export async function addRecords(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  records: readonly Readonly<Record<string, unknown>>[],
  sign: 1 | -1,
): Promise<void> {
  if (rollups.length === 0 || records.length === 0) return;
  const split = splitRollups(rollups);
  await addRowRecords(state, split.rows, records, sign);
  if (split.sql.length > 0)
    await addContributions(
      state,
      split.sql,
      records.map((record) => String(record.id)),
      sign,
    );
}

/** @internal Adds the contributions of records to the rollups JavaScript computes. */
export async function addRowRecords(
  state: ScopeState,
  rows: readonly RowRollup[],
  records: readonly Readonly<Record<string, unknown>>[],
  sign: 1 | -1,
): Promise<void> {
  if (rows.length === 0 || records.length === 0) return;
  const deltas: Deltas = new Map();
  addRows(deltas, rows, records, sign, await zoneOf(state, rows));
  await applyDeltas(state, deltas);
}

/** The tenant's zone when a rollup keys by a timestamp's local month, else '' (not read). */
function zoneOf(state: ScopeState, rows: readonly RowRollup[]): Promise<string> | string {
  return rows.some((row) => row.zoned) ? tenantZone(state) : '';
}

/**
 * @internal Moves a record's contributions from its previous state to its new one, after the
 * update: only the cells that differ are written (none when no key or value moved).
 */
export async function moveRecord(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  previous: Readonly<Record<string, unknown>>,
  record: Readonly<Record<string, unknown>>,
): Promise<void> {
  const { rows } = splitRollups(rollups);
  if (rows.length === 0) return;
  const deltas: Deltas = new Map();
  const timeZone = await zoneOf(state, rows);
  addRows(deltas, rows, [previous], -1, timeZone);
  addRows(deltas, rows, [record], 1, timeZone);
  await applyDeltas(state, deltas);
}

/**
 * @internal The facts rollups of the children of `definition` (a parent object) that an update
 * of these fields moves: the children's rows are keyed by the parent's owner and fields.
 */
function childrenChangedBy(
  state: ScopeState,
  definition: AnyObjectDefinition,
  changed: Readonly<Record<string, unknown>>,
): readonly RollupDefinition[] {
  const children = plans.get(state.engine)?.children.get(definition.name);
  if (!children) return [];
  for (const field in changed) if (children.fields.has(field)) return children.rollups;
  return [];
}

/**
 * @internal The rollups as the write path's upkeep: old contributions out before a row changes,
 * new ones in after (SQL-read rollups around the statement, the others moved in memory after it).
 */
export const rollupUpkeep: RecordUpkeep = {
  committing: flushDeltas,
  async rewriting(state, definition, via, parentIds) {
    const rollups = (rollupsOf(state, definition) ?? []).filter(
      (rollup) => rollup.facts?.via === via,
    );
    return moveChildren(state, rollups, via, parentIds);
  },
  async inserted(state, definition, records) {
    const { facts, rest } = partitionFacts(rollupsOf(state, definition));
    await addRecords(state, rest, records, 1);
    if (facts.length > 0)
      await applyDeltas(state, await factRecordDeltas(state, facts, records, 1));
  },
  async updating(state, definition, previous, changed, customChanged) {
    const rollups = rollupsChangedBy(state, definition, changed, customChanged);
    const inSql = splitRollups(rollups).sql;
    // A parent's owner or field moved: every child row's contribution moves with it.
    const children = childrenChangedBy(state, definition, changed);
    // Children computed in JavaScript move after the update (under its row lock); others are
    // read in SQL before and after it, the parent locked first.
    const inMemory = allInMemory(children);
    if (!inMemory) await lockParent(state, definition, previous.id);
    const moved = inMemory
      ? undefined
      : await moveChildren(state, children, children[0]?.facts?.via ?? '', [previous.id]);
    await addContributions(state, inSql, [previous.id], -1);
    return {
      restore: () => addContributions(state, inSql, [previous.id], 1),
      async done(record) {
        await addContributions(state, inSql, [record.id], 1);
        if (moved) await moved.done();
        else if (children.length > 0) await moveParent(state, children, previous, record);
        await moveRecord(state, rollups, previous, record);
      },
    };
  },
  async deleting(state, definition, records) {
    const { facts, rest } = partitionFacts(rollupsOf(state, definition));
    const split = splitRollups(rest);
    const ids = records.map((record) => record.id);
    await addContributions(state, split.sql, ids, -1);
    // The rows' parents are read now, while they surely exist.
    const factDeltas = await factRecordDeltas(state, facts, records, -1);
    return {
      restore: () => addContributions(state, split.sql, ids, 1),
      // The records as read in this transaction are the rows just deleted: their contributions go out.
      async done() {
        await addRowRecords(state, split.rows, records, -1);
        await applyDeltas(state, factDeltas);
      },
    };
  },
};
