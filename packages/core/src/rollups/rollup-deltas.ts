import { CompiledQuery, sql } from 'kysely';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { moneyField } from '../kpi/kpi-compile.js';
import { currencyFieldOf } from '../objects/money-currency.js';
import { cellAmounts, cellKey } from './rollup-cells.js';
import { measureSlots, moneyTimes, type RollupDefinition } from './rollup-definition.js';
import { monthOfInstant, timestampDate } from './rollup-month.js';

import { contributionOf, type Row, whereTest } from './rollup-row-values.js';
/** @internal What one row adds to a rollup row: its key and amounts (see `cellAmounts`). */
export interface CellDelta {
  readonly key: string;
  readonly amounts: readonly number[];
}

/** @internal A rollup whose contributions JavaScript computes from the record itself. */
export interface RowRollup {
  readonly rollup: RollupDefinition;
  /** Whether its rows are keyed by a timestamp's month in the tenant's time zone. */
  readonly zoned: boolean;
  /**
   * The rollup row a record adds to, or undefined when the source does not take it; `timeZone`
   * (the tenant's) places a timestamp in its local month.
   */
  readonly cellOf: (row: Row, timeZone: string) => CellDelta | undefined;
}

const rowRollups = new WeakMap<RollupDefinition, RowRollup | null>();

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Where a measure's amounts sit in `cellAmounts`: `n`, `x`, the counts, then the sums. */
const countAt = (index: number) => 1 + index;
const sumAt = (index: number) => 1 + measureSlots + index;

/** A measure's value from a record, and whether the rollup can keep it exactly. */
type Valuer = (row: Row) => { value: number | null; exact: boolean };

function valuerOf(rollup: RollupDefinition, of: unknown): Valuer {
  const times = moneyTimes(rollup.definition, of);
  if (!times) return (row) => ({ value: contributionOf(of, row), exact: true });
  return (row) => {
    const amount = row[times.money];
    const factor = row[times.factor];
    if (typeof amount !== 'number' || typeof factor !== 'number')
      return { value: null, exact: true };
    // A whole factor times minor units is an integer; any other is left to the scan.
    return { value: amount * factor, exact: Number.isInteger(factor) };
  };
}

/**
 * @internal The rollup as a function of a record, or undefined when a condition needs SQL
 * (custom fields, text order, prefixes): then the upkeep reads the row's contribution in SQL.
 * The property tests check the two against each other through `checkRollups`.
 */
export function rowRollupOf(rollup: RollupDefinition): RowRollup | undefined {
  const known = rowRollups.get(rollup);
  if (known !== undefined) return known ?? undefined;
  // Facts read their parent's fields: SQL computes them.
  if (rollup.facts) return undefined;
  const source = whereTest(rollup, rollup.source.where);
  const measures = [...rollup.measures.values()].map(({ index, measure }) => ({
    index,
    count: measure.aggregate === 'count',
    valuer: valuerOf(rollup, measure.of),
    test: whereTest(rollup, measure.where),
  }));
  const histogram = rollup.histogram?.measure;
  const histogramTest = histogram ? whereTest(rollup, histogram.where) : undefined;
  const { date } = rollup.source;
  const zoned = timestampDate(rollup) !== undefined;
  const currencyField = currencyFieldOf(rollup.definition);
  // A day's month is its first seven characters; a timestamp's is the tenant-local month.
  const bucketOf = (row: Row, timeZone: string) =>
    !date ? '' : zoned ? monthOfInstant(text(row[date]), timeZone) : text(row[date]).slice(0, 7);
  let made: RowRollup | null = null;
  if (source && histogram) {
    // A median's histogram: one count per record that has a value, keyed by the value.
    const money = moneyField(histogram.of) !== undefined;
    made = histogramTest
      ? {
          rollup,
          zoned,
          cellOf(row, timeZone) {
            if (!source(row) || !histogramTest(row)) return undefined;
            const value = contributionOf(histogram.of, row);
            if (value === null) return undefined;
            const bucket = bucketOf(row, timeZone);
            const owner = rollup.histogram?.allOwners ? '' : text(row.ownerId);
            // Money is counted in its own currency (converted at read time), anything else in none.
            const currency = money && currencyField ? text(row[currencyField]) : '';
            const key = `${rollup.id}\u0000${bucket}\u0000${owner}\u0000${currency}\u0000=${Math.trunc(value)}`;
            const amounts = new Array<number>(cellAmounts.length).fill(0);
            amounts[0] = 1;
            return { key, amounts };
          },
        }
      : null;
  } else if (source && measures.every((m) => m.test)) {
    const field = rollup.dimension?.field;
    made = {
      rollup,
      zoned,
      cellOf(row, timeZone) {
        if (!source(row)) return undefined;
        const bucket = bucketOf(row, timeZone);
        const groupValue = field === undefined ? undefined : row[field];
        const group =
          groupValue === undefined || groupValue === null ? '' : `=${String(groupValue)}`;
        const key = `${rollup.id}\u0000${bucket}\u0000${text(row.ownerId)}\u0000${currencyField ? text(row[currencyField]) : ''}\u0000${field ? group : ''}`;
        const amounts = new Array<number>(cellAmounts.length).fill(0);
        amounts[0] = 1;
        for (const { index, count, valuer, test } of measures) {
          if (!test?.(row)) continue;
          if (count) {
            amounts[countAt(index)] = 1;
            continue;
          }
          const { value, exact } = valuer(row);
          if (value === null) continue;
          amounts[countAt(index)] = 1;
          if (exact) amounts[sumAt(index)] = value;
          else amounts[1] = (amounts[1] ?? 0) + 1;
        }
        return { key, amounts };
      },
    };
  }
  rowRollups.set(rollup, made);
  return made ?? undefined;
}

/** @internal Deltas by rollup row key, added up in memory before one upsert. */
export type Deltas = Map<string, number[]>;

/**
 * @internal Adds what `rows` contribute to `rollups` (times `sign`) into `deltas`, timestamps in
 * the months of `timeZone` (the tenant's, read in the write's transaction).
 */
export function addRows(
  deltas: Deltas,
  rollups: readonly RowRollup[],
  rows: readonly Row[],
  sign: 1 | -1,
  timeZone: string,
): void {
  for (const row of rows) {
    for (const rollup of rollups) {
      const delta = rollup.cellOf(row, timeZone);
      if (!delta) continue;
      const into = deltas.get(delta.key);
      if (into)
        delta.amounts.forEach((amount, i) => {
          into[i] = (into[i] ?? 0) + sign * amount;
        });
      else
        deltas.set(
          delta.key,
          delta.amounts.map((amount) => sign * amount),
        );
    }
  }
}

const cellColumns = ['tenantId', ...cellKey, ...cellAmounts] as const;

/** Rows per upsert: far below every dialect's parameter limit (SQLite's 32,766). */
const rowsPerStatement = Math.floor(30_000 / cellColumns.length);

function upsert(state: ScopeState, rows: readonly Record<string, unknown>[]) {
  return dbOf(state)
    .insertInto('rollupCells')
    .values([...rows])
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

/** Upsert texts by engine and row count: compiling the query tree cost more than running it. */
const texts = new WeakMap<object, Map<number, string | null>>();

/**
 * The text of an upsert of `count` rows, compiled once with a marker per value; null when kysely
 * did not bind exactly one parameter per value, row by row, column by column.
 */
function upsertText(state: ScopeState, count: number): string | null {
  let byCount = texts.get(state.engine);
  if (!byCount) {
    byCount = new Map();
    texts.set(state.engine, byCount);
  }
  let text = byCount.get(count);
  if (text === undefined) {
    const rows = Array.from({ length: count }, (_, row) =>
      Object.fromEntries(cellColumns.map((column, i) => [column, `\u0000${row}:${i}`])),
    );
    const compiled = upsert({ ...state, tx: undefined }, rows).compile();
    const expected = rows.flatMap((row) => cellColumns.map((column) => row[column]));
    const exact =
      compiled.parameters.length === expected.length &&
      compiled.parameters.every((parameter, i) => parameter === expected[i]);
    text = exact ? compiled.sql : null;
    if (byCount.size >= 256) byCount.clear();
    byCount.set(count, text);
  }
  return text;
}

/** The deltas a transaction's writes left to upsert, by transaction. */
const pending = new WeakMap<object, Deltas>();

/**
 * @internal Adds deltas to the scope tenant's rows: in a transaction, to the transaction's
 * pending deltas, upserted once before it commits ({@link flushDeltas}), so a write that moves
 * several cells (a stage change: the deal's, its new entry's, the exits it rewrote) locks them
 * in one statement, in key order: two writers sharing cells cannot deadlock on Postgres, and a
 * create is one upsert. Outside a transaction at once.
 */
export async function applyDeltas(state: ScopeState, deltas: Deltas): Promise<void> {
  const { tx } = state;
  if (!tx) return writeDeltas(state, deltas);
  const into = pending.get(tx) ?? new Map<string, number[]>();
  pending.set(tx, into);
  for (const [key, amounts] of deltas) {
    const sum = into.get(key);
    if (!sum) into.set(key, [...amounts]);
    else
      amounts.forEach((amount, i) => {
        sum[i] = (sum[i] ?? 0) + amount;
      });
  }
}

/**
 * @internal Upserts the scope transaction's pending deltas: before it commits, and before
 * anything reads or recomputes the cells in it (a KPI read, a rebuild, a check, a zone change).
 */
export async function flushDeltas(state: ScopeState): Promise<void> {
  const deltas = state.tx && pending.get(state.tx);
  if (!state.tx || !deltas || deltas.size === 0) return;
  pending.delete(state.tx);
  await writeDeltas(state, deltas);
}

/** Upserts the deltas (those that change something) into the scope tenant's rows. */
async function writeDeltas(state: ScopeState, deltas: Deltas): Promise<void> {
  const rows: (readonly unknown[])[] = [];
  // In key order: concurrent writers lock the rows they share in the same order (no deadlock),
  // and the index takes them in its own order (on SQLite, a 20,000-deal import's upserts took
  // 10 times as long unsorted).
  const sorted = [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, amounts] of sorted) {
    if (amounts.every((amount) => amount === 0)) continue;
    // The values in `cellColumns` order: tenant, the key's five parts, then the amounts.
    const values: unknown[] = [state.tenantId, ...key.split('\u0000')];
    for (let i = 0; i < cellAmounts.length; i += 1) values.push(amounts[i] ?? 0);
    rows.push(values);
  }
  for (let i = 0; i < rows.length; ) {
    const count = statementRows(rows.length - i);
    const chunk = rows.slice(i, i + count);
    i += count;
    const text = upsertText(state, count);
    if (text === null)
      await upsert(
        state,
        chunk.map((values) =>
          Object.fromEntries(cellColumns.map((column, c) => [column, values[c]])),
        ),
      ).execute();
    else await dbOf(state).executeQuery(CompiledQuery.raw(text, chunk.flat()));
  }
}

/** Up to this many rows an upsert has a text of its own count: one statement for a single write. */
const exactRows = 64;

/**
 * The rows of the next upsert when `left` remain: full statements, then powers of two, so that
 * a few texts (compiled once each) serve every batch size (compiling one for each new count took
 * longer than running it); a single write's few rows go in one statement of their own count.
 */
function statementRows(left: number): number {
  if (left >= rowsPerStatement) return rowsPerStatement;
  if (left <= exactRows) return left;
  return 2 ** Math.floor(Math.log2(left));
}
