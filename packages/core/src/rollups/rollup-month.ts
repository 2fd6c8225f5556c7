import { type Expression, type RawBuilder, sql } from 'kysely';
import { isTimestampField } from '../kpi/kpi-compile.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import { resolvePeriod } from '../periods/period.js';
import type { RollupDefinition } from './rollup-definition.js';

/**
 * @internal The month a rollup row of a dated source is keyed by: `YYYY-MM`. A day field's month
 * is the day's first seven characters; a timestamp's month is the tenant-local month, as the
 * scan's period bounds place the instant (see {@link monthOfInstant}).
 */
export type Month = string;

/** @internal A month and the instant its first local midnight falls on (UTC ISO, as `Period`). */
export interface MonthStart {
  readonly month: Month;
  readonly start: string;
}

/** Start instants by time zone and month: a bulk import asks for the same few thousands of times. */
const starts = new Map<string, Map<Month, string>>();

/**
 * @internal The instant `month` starts at in `timeZone`: the `startInstant` of the month period
 * itself, so a timestamp's bucket and the scan's range compare with the very same instant (and
 * a quarter or year starts on the instant of its first month: the same local midnight).
 */
export function monthStart(month: Month, timeZone: string): string {
  let byMonth = starts.get(timeZone);
  if (!byMonth) {
    byMonth = new Map();
    starts.set(timeZone, byMonth);
  }
  let start = byMonth.get(month);
  if (start === undefined) {
    // Cast: a `YYYY-MM` month, which the period parser reads as a month period.
    const period = resolvePeriod(month as `${number}-${number}`, {
      timeZone,
      fiscalYearStartMonth: 1,
      today: '2000-01-01',
    });
    // A month period always has its bounds; only `all` has none.
    start = period.startInstant ?? '';
    if (byMonth.size >= 10_000) byMonth.clear();
    byMonth.set(month, start);
  }
  return start;
}

/** @internal The month after (`step` 1) or before (`step` -1) a `YYYY-MM` month. */
export function shiftMonth(month: Month, step: 1 | -1): Month {
  const year = Number(month.slice(0, 4));
  const index = year * 12 + Number(month.slice(5, 7)) - 1 + step;
  const y = Math.floor(index / 12);
  return `${String(y).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * @internal The tenant-local month of a stored timestamp (a UTC ISO string, as every write
 * stores it), exactly where the scan's range puts it: the month `m` with
 * `monthStart(m) <= instant < monthStart(m + 1)`, the same comparisons as the scan's
 * `column >= startInstant and column < endInstant` (on SQLite those compare the same ISO texts;
 * on Postgres the same instants). '' for a missing value.
 */
export function monthOfInstant(instant: string, timeZone: string): Month {
  if (instant === '') return '';
  // The UTC month is the local one or a neighbour: no offset reaches a month away.
  let month = instant.slice(0, 7);
  for (let step = 0; step < 3 && instant < monthStart(month, timeZone); step += 1)
    month = shiftMonth(month, -1);
  for (let step = 0; step < 3 && instant >= monthStart(shiftMonth(month, 1), timeZone); step += 1)
    month = shiftMonth(month, 1);
  return month;
}

/**
 * @internal The months from the one `first` falls in to the one `last` falls in (local, in
 * `timeZone`), one more on each side, with the start of the month after the last: the bounds a
 * SQL bucket of timestamps in that range compares with ({@link monthBucketSql}).
 */
export function monthStarts(first: string, last: string, timeZone: string): MonthStart[] {
  const from = shiftMonth(monthOfInstant(first, timeZone), -1);
  const to = shiftMonth(monthOfInstant(last, timeZone), 1);
  const list: MonthStart[] = [];
  for (let month = from; month <= to; month = shiftMonth(month, 1))
    list.push({ month, start: monthStart(month, timeZone) });
  const after = shiftMonth(to, 1);
  list.push({ month: after, start: monthStart(after, timeZone) });
  return list;
}

/**
 * @internal The tenant-local month of a timestamp column in SQL, with no time zone support from
 * the dialect (SQLite has none): a binary search over `bounds` (from {@link monthStarts}) by the
 * scan's own comparisons with the month start instants. They are literals, not parameters, so
 * the expression reads the same in a select list and its GROUP BY (Postgres matches the two by
 * text; a literal compares with a timestamptz as the scan's bound parameter does). ''
 * for null; null outside the bounds (the caller covers every row, so a row there is a bug the
 * not-null bucket column refuses, never a wrong month).
 */
export function monthBucketSql(
  column: Expression<unknown>,
  bounds: readonly MonthStart[],
): RawBuilder<unknown> {
  const first = bounds[0];
  const end = bounds.at(-1);
  if (!first || !end || bounds.length < 2) return sql`null`;
  // Months lo..hi, knowing start(lo) <= column < start(hi + 1).
  const search = (lo: number, hi: number): RawBuilder<unknown> => {
    if (lo === hi) return sql.lit(bounds[lo]?.month ?? '');
    const mid = (lo + hi + 1) >> 1;
    const start = sql.lit(bounds[mid]?.start ?? '');
    return sql`(case when ${column} < ${start} then ${search(lo, mid - 1)} else ${search(mid, hi)} end)`;
  };
  const last = bounds.length - 2;
  return sql`(case when ${column} is null then '' when ${column} < ${sql.lit(first.start)} then null when ${column} >= ${sql.lit(end.start)} then null else ${search(0, last)} end)`;
}

/** Whether `field` is a timestamp as the scan tests it (instants, not days). */
function isTimestamp(definition: AnyObjectDefinition, field: string): boolean {
  const isField = field === 'createdAt' || field in definition.fields.shape;
  return isField && isTimestampField(definition, field);
}

/**
 * @internal Why a source dated by `date` (not a day field) cannot be rolled up, or undefined: a
 * timestamp is kept by its tenant-local month (recomputed when the tenant's time zone changes),
 * but `updatedAt` moves with every write, which no update reports as a changed field.
 */
export function timestampProblem(
  definition: AnyObjectDefinition,
  date: string,
): string | undefined {
  if (date === 'updatedAt') return 'updatedAt changes with every write';
  return isTimestamp(definition, date) ? undefined : `${date} is neither a day nor a timestamp`;
}

/**
 * @internal The timestamp field a rollup's rows are dated by (keyed by the tenant-local month,
 * which moves when the tenant's time zone does), or undefined for a day field or a snapshot.
 * The scan's own test of a timestamp ({@link isTimestampField}: instants, not days).
 */
export function timestampDate(rollup: RollupDefinition): string | undefined {
  const { date } = rollup.source;
  return date !== undefined && isTimestamp(rollup.definition, date) ? date : undefined;
}
