import { describe, expect, test } from 'vitest';
import { isRapportError } from '../errors/rapport-error.js';
import { type PeriodCalendar, previousPeriod, resolvePeriod } from './period.js';

const utc: PeriodCalendar = { timeZone: 'UTC', fiscalYearStartMonth: 1, today: '2026-05-17' };
const berlin: PeriodCalendar = { ...utc, timeZone: 'Europe/Berlin' };
const april: PeriodCalendar = { ...utc, fiscalYearStartMonth: 4 };

describe('resolvePeriod', () => {
  test('a month, a quarter and a year are calendar ranges with an exclusive end', () => {
    expect(resolvePeriod('2026-02', utc)).toMatchObject({
      kind: 'month',
      label: '2026-02',
      start: '2026-02-01',
      end: '2026-03-01',
    });
    expect(resolvePeriod('2026-Q4', utc)).toMatchObject({ start: '2026-10-01', end: '2027-01-01' });
    expect(resolvePeriod('2024', utc)).toMatchObject({ start: '2024-01-01', end: '2025-01-01' });
  });

  test('instants are local midnights of the tenant time zone (winter +1h, summer +2h in Berlin)', () => {
    const q = resolvePeriod('2026-Q2', berlin);
    expect(q.startInstant).toBe('2026-03-31T22:00:00.000Z');
    expect(q.endInstant).toBe('2026-06-30T22:00:00.000Z');
    expect(resolvePeriod('2026-01', berlin).startInstant).toBe('2025-12-31T23:00:00.000Z');
  });

  test('a fiscal year starting in April is named by the year it ends in', () => {
    expect(resolvePeriod('FY2026', april)).toMatchObject({
      kind: 'fiscalYear',
      start: '2025-04-01',
      end: '2026-04-01',
    });
    expect(resolvePeriod('FY2026-Q4', april)).toMatchObject({
      start: '2026-01-01',
      end: '2026-04-01',
    });
    expect(resolvePeriod('FY2026', utc)).toMatchObject({ start: '2026-01-01', end: '2027-01-01' });
  });

  test('custom ranges include both days, in either spelling', () => {
    const range = resolvePeriod({ from: '2026-03-01', to: '2026-03-15' }, utc);
    expect(range).toMatchObject({ kind: 'custom', start: '2026-03-01', end: '2026-03-16' });
    expect(resolvePeriod('2026-03-01..2026-03-15', utc)).toEqual(range);
  });

  test('relative periods follow today and the fiscal calendar', () => {
    expect(resolvePeriod('thisMonth', utc).label).toBe('2026-05');
    expect(resolvePeriod('lastQuarter', utc).label).toBe('2026-Q1');
    expect(resolvePeriod('lastMonth', { ...utc, today: '2026-01-03' }).label).toBe('2025-12');
    // 17 May 2026 with an April start is in FY2027 (April 2026 - March 2027).
    expect(resolvePeriod('thisFiscalYear', april)).toMatchObject({
      label: 'FY2027',
      start: '2026-04-01',
    });
  });

  test('all has no limits', () => {
    expect(resolvePeriod('all', utc)).toMatchObject({ kind: 'all', start: null, end: null });
  });

  test.each(['2026-13', '2026-Q5', 'soon', '2026-02-30..2026-03-01', '2026-03-05..2026-03-01'])(
    '%s is a VALIDATION error',
    (input) => {
      let caught: unknown;
      try {
        resolvePeriod(input as never, utc);
      } catch (error) {
        caught = error;
      }
      expect(isRapportError(caught) && caught.code).toBe('VALIDATION');
    },
  );
});

describe('previousPeriod', () => {
  test('steps back one unit of the same kind', () => {
    const label = (input: string, calendar = utc) =>
      previousPeriod(resolvePeriod(input as never, calendar), calendar)?.label;
    expect(label('2026-01')).toBe('2025-12');
    expect(label('2026-Q1')).toBe('2025-Q4');
    expect(label('2026')).toBe('2025');
    expect(label('FY2026', april)).toBe('FY2025');
    expect(label('FY2026-Q1', april)).toBe('FY2025-Q4');
    expect(label('all')).toBeUndefined();
  });

  test('a custom range is followed by the same number of days before it', () => {
    const previous = previousPeriod(resolvePeriod('2026-03-11..2026-03-20', utc), utc);
    expect(previous).toMatchObject({ start: '2026-03-01', end: '2026-03-11' });
  });
});
