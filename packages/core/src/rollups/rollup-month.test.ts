import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { resolvePeriod } from '../periods/period.js';
import {
  monthBucketSql,
  monthOfInstant,
  monthStart,
  monthStarts,
  shiftMonth,
} from './rollup-month.js';

/** Zones with DST (both hemispheres), half and quarter hour offsets, and the widest ones. */
const zones = [
  'UTC',
  'Europe/Berlin',
  'Asia/Kolkata',
  'America/New_York',
  'America/St_Johns',
  'Australia/Adelaide',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'America/Santiago',
] as const;

/** The month period's own bounds, as the scan compares a timestamp with them. */
function scanMonth(instant: string, timeZone: string): string | undefined {
  const utc = instant.slice(0, 7);
  for (const month of [shiftMonth(utc, -1), utc, shiftMonth(utc, 1)]) {
    const period = resolvePeriod(month as `${number}-${number}`, {
      timeZone,
      fiscalYearStartMonth: 1,
      today: '2026-01-01',
    });
    const { startInstant, endInstant } = period;
    if (
      startInstant !== null &&
      endInstant !== null &&
      instant >= startInstant &&
      instant < endInstant
    )
      return month;
  }
  return undefined;
}

const instants = fc
  .integer({ min: Date.parse('2019-01-01T00:00:00Z'), max: Date.parse('2031-12-31T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());

describe('monthOfInstant', () => {
  test('is the month whose period range holds the instant, in every zone', () => {
    fc.assert(
      fc.property(instants, fc.constantFrom(...zones), (instant, timeZone) => {
        expect(monthOfInstant(instant, timeZone)).toBe(scanMonth(instant, timeZone));
      }),
      { numRuns: 500 },
    );
  });

  test('a month starts at its first local midnight, inclusive: the millisecond before is the month before', () => {
    for (const timeZone of zones) {
      for (let month = '2025-01'; month <= '2027-12'; month = shiftMonth(month, 1)) {
        const start = monthStart(month, timeZone);
        const before = new Date(Date.parse(start) - 1).toISOString();
        expect(monthOfInstant(start, timeZone)).toBe(month);
        expect(monthOfInstant(before, timeZone)).toBe(shiftMonth(month, -1));
      }
    }
    // Berlin keeps winter time on 1 March and summer time on 1 April; Kolkata is +05:30.
    expect(monthStart('2026-03', 'Europe/Berlin')).toBe('2026-02-28T23:00:00.000Z');
    expect(monthStart('2026-04', 'Europe/Berlin')).toBe('2026-03-31T22:00:00.000Z');
    expect(monthStart('2026-06', 'Asia/Kolkata')).toBe('2026-05-31T18:30:00.000Z');
    expect(monthOfInstant('2026-05-31T18:29:59.999Z', 'Asia/Kolkata')).toBe('2026-05');
    expect(monthOfInstant('2026-05-31T18:30:00.000Z', 'Asia/Kolkata')).toBe('2026-06');
    expect(monthOfInstant('', 'Asia/Kolkata')).toBe('');
  });

  test('shiftMonth crosses years both ways', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-06', 1)).toBe('2026-07');
  });
});

describe('monthBucketSql', () => {
  test('SQL places every timestamp in the month JavaScript does, null timestamps in none', async () => {
    const db = new Kysely<Record<string, { id: number; at: string | null }>>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
    });
    try {
      await db.schema.createTable('t').addColumn('id', 'integer').addColumn('at', 'text').execute();
      await fc.assert(
        fc.asyncProperty(
          fc.array(instants, { minLength: 1, maxLength: 40 }),
          fc.constantFrom(...zones),
          async (list, timeZone) => {
            await db.deleteFrom('t').execute();
            const rows = [...list.map((at, id) => ({ id, at })), { id: list.length, at: null }];
            await db.insertInto('t').values(rows).execute();
            const sorted = [...list].sort();
            const bounds = monthStarts(sorted[0] ?? '', sorted.at(-1) ?? '', timeZone);
            const read = await db
              .selectFrom('t')
              .select(['id', monthBucketSql(sql.ref('at'), bounds).as('month')])
              .orderBy('id')
              .execute();
            expect(read.map((row) => row.month)).toEqual([
              ...list.map((at) => monthOfInstant(at, timeZone)),
              '',
            ]);
          },
        ),
        { numRuns: 200 },
      );
      // Outside the bounds a row gets no month (the not-null bucket refuses it), never a wrong one.
      const bounds = monthStarts('2026-05-10T00:00:00.000Z', '2026-05-10T00:00:00.000Z', 'UTC');
      const [outside] = await db
        .selectFrom('t')
        .select(monthBucketSql(sql.lit('2027-01-01T00:00:00.000Z'), bounds).as('month'))
        .limit(1)
        .execute();
      expect(outside?.month).toBeNull();
    } finally {
      await db.destroy();
    }
  });
});
