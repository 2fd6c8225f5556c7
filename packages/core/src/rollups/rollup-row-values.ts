import type { ColumnKind } from '../objects/object-definition.js';
import type { RollupDefinition } from './rollup-definition.js';

// What JavaScript decides about a record exactly as the rollup's SQL does: whether it matches a
// `where` (equality, `in`, `notIn`, `isNull`, order on numbers and days) and what it adds to a
// measure's sum. Conditions outside that subset return undefined: the upkeep then reads the
// row's contribution in SQL.

/** @internal A record as the engine holds it: decoded column values by field name. */
export type Row = Readonly<Record<string, unknown>>;
/** Kinds whose values compare in JavaScript exactly as in SQL on both dialects (no collation). */
const comparableKinds: ReadonlySet<ColumnKind> = new Set(['integer', 'money', 'number', 'date']);
const equalityKinds: ReadonlySet<ColumnKind> = new Set([...comparableKinds, 'text']);

type Test = (value: unknown) => boolean;

/** A test of one field's filter, or undefined when only SQL may decide it (the SQL path then runs). */
function fieldTest(kind: ColumnKind, filter: unknown): Test | undefined {
  if (!equalityKinds.has(kind)) return undefined;
  if (filter === null) return (value) => value === null || value === undefined;
  if (typeof filter !== 'object') return (value) => value === filter;
  if (Array.isArray(filter)) return undefined;
  const tests: Test[] = [];
  for (const [operator, raw] of Object.entries(filter)) {
    if (raw === undefined) continue;
    const isNull = (value: unknown) => value === null || value === undefined;
    if (operator === 'eq')
      tests.push(raw === null ? isNull : (value) => !isNull(value) && value === raw);
    else if (operator === 'ne')
      tests.push(
        raw === null ? (value) => !isNull(value) : (value) => isNull(value) || value !== raw,
      );
    else if (operator === 'in' && Array.isArray(raw))
      tests.push((value) => !isNull(value) && raw.includes(value));
    else if (operator === 'notIn' && Array.isArray(raw))
      tests.push((value) => isNull(value) || !raw.includes(value));
    else if (operator === 'isNull') tests.push((value) => isNull(value) === Boolean(raw));
    else if (comparableKinds.has(kind) && (typeof raw === 'number' || typeof raw === 'string')) {
      // A number compares with a number, a day with a day: the same order as in SQL.
      const order = (value: unknown): number | undefined => {
        if (typeof raw === 'number' && typeof value === 'number') return value - raw;
        if (typeof raw === 'string' && typeof value === 'string')
          return value < raw ? -1 : value > raw ? 1 : 0;
        return undefined;
      };
      const compares: Record<string, (difference: number) => boolean> = {
        gt: (d) => d > 0,
        gte: (d) => d >= 0,
        lt: (d) => d < 0,
        lte: (d) => d <= 0,
      };
      const holds = compares[operator];
      if (!holds) return undefined;
      tests.push((value) => {
        const difference = order(value);
        return difference !== undefined && holds(difference);
      });
    } else return undefined;
  }
  return (value) => tests.every((test) => test(value));
}

/** @internal A test of a whole `where`, or undefined when some part of it is left to SQL. */
export function whereTest(
  rollup: RollupDefinition,
  where: object | undefined,
): ((row: Row) => boolean) | undefined {
  // The columns map every field to its kind; a field of a `where` may be a system field (none).
  const columns = rollup.definition.columns as Readonly<Record<string, ColumnKind | undefined>>;
  const tests: ((row: Row) => boolean)[] = [];
  for (const [field, filter] of Object.entries(where ?? {})) {
    if (filter === undefined) continue;
    const kind = columns[field];
    if (!kind) return undefined;
    const test = fieldTest(kind, filter);
    if (!test) return undefined;
    tests.push((row) => test(row[field]));
  }
  return (row) => tests.every((test) => test(row));
}

const dayMs = 86_400_000;

/** Day numbers of the days seen (a bulk import parses the same few hundred days again and again). */
const dayNumbers = new Map<string, number>();

/**
 * Days since 1970 of a day at midnight UTC, as julianday (SQLite) and the UTC connection
 * (Postgres) count them: whole for a `YYYY-MM-DD` day, so a difference of two is exact.
 */
function dayNumber(day: string): number {
  let number = dayNumbers.get(day);
  if (number === undefined) {
    number = Date.parse(`${day}T00:00:00Z`) / dayMs;
    if (dayNumbers.size >= 100_000) dayNumbers.clear();
    dayNumbers.set(day, number);
  }
  return number;
}

/** @internal What a row adds to a measure's sum, as the SQL of the rollup computes it. */
export function contributionOf(of: unknown, row: Row): number | null {
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  if (typeof of === 'string') return number(row[of]);
  if (of !== null && typeof of === 'object') {
    if ('money' in of && typeof of.money === 'string') return number(row[of.money]);
    if ('daysBetween' in of && Array.isArray(of.daysBetween)) {
      const [start, end] = of.daysBetween.map((field: unknown) => row[String(field)]);
      if (typeof start !== 'string' || typeof end !== 'string') return null;
      return dayNumber(end) - dayNumber(start);
    }
  }
  return null;
}
