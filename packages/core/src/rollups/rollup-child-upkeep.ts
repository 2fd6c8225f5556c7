import { sql } from 'kysely';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { decodeRow } from '../engine/record-codec.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import {
  cellAmounts,
  cellKey,
  contributionMonths,
  contributions,
  type RollupMonths,
} from './rollup-cells.js';
import { measureSlots, type RollupDefinition } from './rollup-definition.js';
import { applyDeltas, type CellDelta, type Deltas } from './rollup-deltas.js';
import { monthOfInstant, timestampDate } from './rollup-month.js';
import { whereTest } from './rollup-row-values.js';
import { tenantZone } from './rollup-zone.js';

// The upkeep of facts rollups (`kpiFacts`: rows that belong to a parent, keyed by its owner and
// fields): every contribution is read in SQL and upserted with the write's other deltas.

/** Ids per statement: each id is a bound parameter, far below every dialect's limit. */
const idsPerStatement = 500;

/**
 * The contributions of the rows of `ids` (of `idColumn`) to facts rollups, read in one
 * statement and added (times `sign`) into `into`: a write upserts them with the other deltas, in
 * key order, as every other write does (an INSERT ... SELECT would lock the cells in the order
 * the rows come, and two writers sharing cells could deadlock on Postgres).
 */
async function readContributions(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  ids: readonly string[],
  sign: 1 | -1,
  months: RollupMonths,
  idColumn: string,
  into: Deltas,
): Promise<void> {
  const [first, ...rest] = rollups.map((rollup) =>
    contributions(state, rollup, ids, sign, months, idColumn),
  );
  if (!first) return;
  const rows = await rest.reduce((all, query) => all.unionAll(query), first).execute();
  // Cast: the contributions' columns are the cell columns, chosen by name above (untyped SQL).
  for (const row of rows as Record<string, unknown>[]) {
    const key = cellKey.map((column) => String(row[column] ?? '')).join('\u0000');
    const amounts = into.get(key) ?? cellAmounts.map(() => 0);
    cellAmounts.forEach((column, i) => {
      amounts[i] = (amounts[i] ?? 0) + Number(row[column] ?? 0);
    });
    into.set(key, amounts);
  }
}

/** @internal Adds the contributions of rows (or of every row of parents) to facts rollups. */
export async function addFactContributions(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  ids: readonly string[],
  sign: 1 | -1,
  idColumn: string,
): Promise<void> {
  for (let i = 0; i < ids.length; i += idsPerStatement) {
    const chunk = ids.slice(i, i + idsPerStatement);
    const months = await contributionMonths(state, rollups, chunk, idColumn);
    const deltas: Deltas = new Map();
    await readContributions(state, rollups, chunk, sign, months, idColumn, deltas);
    await applyDeltas(state, deltas);
  }
}

/**
 * @internal Reads the facts rollups' cells of the rows of some parents before a write (a plain read: no
 * lock on a cell until the write's own upsert), and on `done` reads them again and upserts the
 * difference, in key order with every other delta. Exact while no other transaction changes
 * those rows in between: the update that moves them ({@link lockParent}), the history import
 * and the rewrite of exits after the deal's update hold the parent's row. A deal's delete and a
 * line item's insert do not hold it before they read the deal (a concurrent owner change on
 * Postgres can then key their contribution by the owner it replaces: known, not yet fixed).
 */
export async function moveChildren(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  via: string,
  parentIds: readonly string[],
): Promise<{ restore(): Promise<void>; done(): Promise<void> }> {
  const none = { restore: async () => {}, done: async () => {} };
  if (rollups.length === 0 || parentIds.length === 0) return none;
  const ids = [...new Set(parentIds)];
  const [first] = rollups;
  if (first && allInMemory(rollups)) {
    // The rows before and after, each row's contribution computed from it and its parent.
    const timeZone = await factsZone(state, rollups);
    const parents = await parentsOf(state, first, ids);
    const parentOf = (row: Row) => parents.get(String(row[via]));
    const deltas: Deltas = new Map();
    addFactRows(deltas, rollups, await childrenOf(state, first, ids), parentOf, -1, timeZone);
    return {
      restore: async () => {},
      async done() {
        addFactRows(deltas, rollups, await childrenOf(state, first, ids), parentOf, 1, timeZone);
        await applyDeltas(state, deltas);
      },
    };
  }
  // The rows' dates do not move: one set of month bounds serves both reads.
  const months = await contributionMonths(state, rollups, ids, via);
  const deltas: Deltas = new Map();
  await readContributions(state, rollups, ids, -1, months, via, deltas);
  return {
    restore: async () => {},
    async done() {
      await readContributions(state, rollups, ids, 1, months, via, deltas);
      await applyDeltas(state, deltas);
    },
  };
}

/**
 * @internal Locks a parent's row before its children's cells are read, where transactions run side by
 * side: a concurrent writer of its children (which holds the row) has committed by then, and no
 * other starts before this one ends. NO KEY UPDATE, as `sales/kept-values.ts` locks deals: the
 * children's foreign keys hold key-share locks on the row, which it does not conflict with.
 */
export async function lockParent(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
): Promise<void> {
  if (!state.engine.storage.concurrentTransactions) return;
  await dbOf(state)
    .selectFrom(definition.table)
    .select('id')
    .where(sql.ref('tenantId'), '=', state.tenantId)
    .where(sql.ref('id'), '=', id)
    .forNoKeyUpdate()
    .execute();
}

/** A record as the engine holds it: decoded column values by field name. */
type Row = Readonly<Record<string, unknown>>;

/** A facts rollup as a function of a row and its parent: the cell it adds to, or none. */
type FactsCell = (row: Row, parent: Row, timeZone: string) => CellDelta | undefined;

const factsCells = new WeakMap<RollupDefinition, FactsCell | null>();

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * @internal A facts rollup computed in JavaScript from a row and its parent, exactly as
 * `contributions` computes it in SQL (the property tests compare both through `checkRollups`),
 * or undefined when the source's `where` needs SQL (then every write reads it in SQL).
 */
export function factsCellOf(rollup: RollupDefinition): FactsCell | undefined {
  const known = factsCells.get(rollup);
  if (known !== undefined) return known ?? undefined;
  const { facts, dimension } = rollup;
  const source = facts ? whereTest(rollup, rollup.source.where) : undefined;
  let made: FactsCell | null = null;
  if (facts && source) {
    const { date } = rollup.source;
    const zoned = timestampDate(rollup) !== undefined;
    const slots = facts.slots.map(({ name, index }) => ({ index, fact: facts.spec.facts[name] }));
    const [first, second] = facts.spec.differ ?? [];
    made = (row, parent, timeZone) => {
      if (!source(row)) return undefined;
      if (first !== undefined && second !== undefined) {
        const value = row[first];
        if (!(value === null || value === undefined || value !== row[second])) return undefined;
      }
      const bucket = !date
        ? ''
        : zoned
          ? monthOfInstant(text(row[date]), timeZone)
          : text(row[date]).slice(0, 7);
      const value = dimension ? (dimension.onParent ? parent : row)[dimension.field] : undefined;
      const group = value === null || value === undefined ? '' : `=${String(value)}`;
      const key = `${rollup.id}\u0000${bucket}\u0000${text(parent.ownerId)}\u0000\u0000${group}`;
      const amounts = new Array<number>(cellAmounts.length).fill(0);
      amounts[0] = 1;
      for (const { index, fact } of slots) {
        if (!fact) continue;
        if ('millisecondsBetween' in fact) {
          const [from, to] = fact.millisecondsBetween.map((field) => row[field]);
          if (typeof from !== 'string' || typeof to !== 'string') continue;
          amounts[1 + index] = 1;
          // Whole milliseconds of two stored instants: what SQL rounds the days between them to.
          amounts[1 + measureSlots + index] = Date.parse(to) - Date.parse(from);
        } else if (
          fact.count === true ||
          (row[fact.count] !== null && row[fact.count] !== undefined)
        )
          amounts[1 + index] = 1;
      }
      return { key, amounts };
    };
  }
  factsCells.set(rollup, made);
  return made ?? undefined;
}

/**
 * @internal The parents of rows by id, as stored now: from the transaction's cache (the deal a
 * create or update of this transaction just wrote, under its row lock), else read.
 */
export async function parentsOf(
  state: ScopeState,
  rollup: RollupDefinition,
  ids: readonly string[],
): Promise<Map<string, Row>> {
  const facts = rollup.facts;
  const parents = new Map<string, Row>();
  if (!facts) return parents;
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const cached = state.tx?.cache.record(facts.parent.table, id);
    if (cached) parents.set(id, cached);
    else missing.push(id);
  }
  for (let i = 0; i < missing.length; i += idsPerStatement) {
    const rows = await dbOf(state)
      .selectFrom(facts.parent.table)
      .selectAll()
      .where(sql.ref('tenantId'), '=', state.tenantId)
      .where(sql.ref('id'), 'in', missing.slice(i, i + idsPerStatement))
      .execute();
    // Cast: rows of a table named at run time (the parent object's) are untyped; decodeRow reads them.
    for (const row of rows as Record<string, unknown>[])
      parents.set(String(row.id), decodeRow(state.engine.storage.sql, facts.parent, row));
  }
  return parents;
}

/** @internal The rows of `rollup`'s object that belong to `parentIds`, as stored now. */
export async function childrenOf(
  state: ScopeState,
  rollup: RollupDefinition,
  parentIds: readonly string[],
): Promise<Row[]> {
  const facts = rollup.facts;
  if (!facts) return [];
  const rows: Row[] = [];
  for (let i = 0; i < parentIds.length; i += idsPerStatement) {
    const found = await dbOf(state)
      .selectFrom(rollup.definition.table)
      .selectAll()
      .where(sql.ref('tenantId'), '=', state.tenantId)
      .where(sql.ref(facts.via), 'in', parentIds.slice(i, i + idsPerStatement))
      .execute();
    // Cast: rows of a table named at run time (the child object's) are untyped; decodeRow reads them.
    for (const row of found as Record<string, unknown>[])
      rows.push(decodeRow(state.engine.storage.sql, rollup.definition, row));
  }
  return rows;
}

/**
 * @internal Adds what `rows` contribute to facts rollups (each computed in JavaScript), with
 * `parentOf` giving a row's parent, times `sign`, into `deltas`.
 */
export function addFactRows(
  deltas: Deltas,
  rollups: readonly RollupDefinition[],
  rows: readonly Row[],
  parentOf: (row: Row) => Row | undefined,
  sign: 1 | -1,
  timeZone: string,
): void {
  for (const rollup of rollups) {
    const cellOf = factsCellOf(rollup);
    if (!cellOf) continue;
    for (const row of rows) {
      const parent = parentOf(row);
      const delta = parent && cellOf(row, parent, timeZone);
      if (!delta) continue;
      const into = deltas.get(delta.key) ?? cellAmounts.map(() => 0);
      delta.amounts.forEach((amount, i) => {
        into[i] = (into[i] ?? 0) + sign * amount;
      });
      deltas.set(delta.key, into);
    }
  }
}

/** @internal The tenant's zone when a facts rollup keys by a timestamp's month, else ''. */
export function factsZone(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
): Promise<string> | string {
  return rollups.some((rollup) => timestampDate(rollup) !== undefined) ? tenantZone(state) : '';
}

/** @internal Whether every one of these facts rollups is computed in JavaScript. */
export function allInMemory(rollups: readonly RollupDefinition[]): boolean {
  return rollups.every((rollup) => factsCellOf(rollup) !== undefined);
}

const partitions = new WeakMap<
  readonly RollupDefinition[],
  { readonly facts: readonly RollupDefinition[]; readonly rest: readonly RollupDefinition[] }
>();

/**
 * @internal A write's rollups split into the facts rollups computed in JavaScript and the rest
 * (one partition per list, so the rest keeps its identity for the compiled upserts' cache).
 */
export function partitionFacts(rollups: readonly RollupDefinition[]) {
  let partition = partitions.get(rollups);
  if (!partition) {
    const facts = rollups.filter((rollup) => factsCellOf(rollup) !== undefined);
    partition = {
      facts,
      rest: facts.length === 0 ? rollups : rollups.filter((rollup) => !facts.includes(rollup)),
    };
    partitions.set(rollups, partition);
  }
  return partition;
}

/** @internal What `records` (rows of the facts rollups' object) add to them, times `sign`. */
export async function factRecordDeltas(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  records: readonly Row[],
  sign: 1 | -1,
): Promise<Deltas> {
  const deltas: Deltas = new Map();
  const [first] = rollups;
  const via = first?.facts?.via;
  if (!first || !via || records.length === 0) return deltas;
  const parents = await parentsOf(
    state,
    first,
    records.map((record) => String(record[via])),
  );
  const timeZone = await factsZone(state, rollups);
  addFactRows(deltas, rollups, records, (row) => parents.get(String(row[via])), sign, timeZone);
  return deltas;
}

/**
 * @internal After an update of a parent moved a field its children's facts rollups key by: the
 * children's contributions leave the previous parent's cells and join the new one's. Read after
 * the parent's update, under its row lock (no writer of its children runs beside it).
 */
export async function moveParent(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  previous: Row,
  record: Row,
): Promise<void> {
  const [first] = rollups;
  if (!first) return;
  const children = await childrenOf(state, first, [String(record.id)]);
  if (children.length === 0) return;
  const timeZone = await factsZone(state, rollups);
  const deltas: Deltas = new Map();
  addFactRows(deltas, rollups, children, () => previous, -1, timeZone);
  addFactRows(deltas, rollups, children, () => record, 1, timeZone);
  await applyDeltas(state, deltas);
}
