import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, differenceInCalendarDays, format } from 'date-fns';
import { validationError } from '../errors/rapport-error.js';

/**
 * A period to evaluate KPIs over, as a caller says it:
 * - `'2026-03'` a month, `'2026-Q3'` a quarter, `'2026'` a year;
 * - `'FY2026'` a fiscal year, `'FY2026-Q1'` a fiscal quarter (named by the calendar year the
 *   fiscal year ends in, as Salesforce does by default; with a January start they are calendar years);
 * - `'2026-03-01..2026-03-15'` or `{ from, to }`: a custom range of days, both inclusive;
 * - `'thisMonth'`, `'lastMonth'`, `'thisQuarter'`, `'lastQuarter'`, `'thisYear'`, `'lastYear'`,
 *   `'thisFiscalYear'`, `'lastFiscalYear'`: relative to today in the tenant's time zone;
 * - `'all'`: no date limit (and no previous period).
 *
 * @example
 * const q3: PeriodInput = '2026-Q3';
 * const range: PeriodInput = { from: '2026-03-01', to: '2026-03-15' };
 */
export type PeriodInput =
  | `${number}-${number}`
  | `${number}-Q${1 | 2 | 3 | 4}`
  | `${number}`
  | `FY${number}`
  | `FY${number}-Q${1 | 2 | 3 | 4}`
  | `${string}..${string}`
  | RelativePeriod
  | 'all'
  | { readonly from: string; readonly to: string };

/**
 * Periods relative to today.
 *
 * @example
 * const period: RelativePeriod = 'lastQuarter';
 */
export type RelativePeriod =
  | 'thisMonth'
  | 'lastMonth'
  | 'thisQuarter'
  | 'lastQuarter'
  | 'thisYear'
  | 'lastYear'
  | 'thisFiscalYear'
  | 'lastFiscalYear';

/**
 * The kind of a resolved period.
 *
 * @example
 * resolvePeriod('FY2026', calendar).kind; // 'fiscalYear'
 */
export type PeriodKind =
  | 'month'
  | 'quarter'
  | 'year'
  | 'fiscalYear'
  | 'fiscalQuarter'
  | 'custom'
  | 'all';

/**
 * A period resolved in a tenant's calendar: days are local days of its time zone, instants are
 * the UTC moments its local midnights fall on. SQL compares `date` columns with the days and
 * timestamp columns with the instants, so bucketing is the same on every dialect.
 *
 * @example
 * const p = resolvePeriod('2026-Q1', { timeZone: 'Europe/Berlin', fiscalYearStartMonth: 1, today: '2026-05-01' });
 * p.start; // '2026-01-01'
 * p.end; // '2026-04-01' (exclusive)
 * p.startInstant; // '2025-12-31T23:00:00.000Z'
 */
export interface Period {
  /** What kind of period. */
  readonly kind: PeriodKind;
  /** A label that parses back to the same period: `2026-Q1`, `FY2026`, `2026-03-01..2026-03-15`. */
  readonly label: string;
  /** First day, inclusive (`YYYY-MM-DD`); null for `all`. */
  readonly start: string | null;
  /** Day after the last day (exclusive); null for `all`. */
  readonly end: string | null;
  /** `start` at local midnight, as a UTC ISO instant; null for `all`. */
  readonly startInstant: string | null;
  /** `end` at local midnight, as a UTC ISO instant; null for `all`. */
  readonly endInstant: string | null;
  /** The tenant time zone the period was cut in. */
  readonly timeZone: string;
}

/**
 * What a period needs from the tenant.
 *
 * @example
 * const calendar: PeriodCalendar = { timeZone: 'Europe/Berlin', fiscalYearStartMonth: 4, today: '2026-05-17' };
 */
export interface PeriodCalendar {
  /** IANA time zone. */
  readonly timeZone: string;
  /** 1 = January. */
  readonly fiscalYearStartMonth: number;
  /** Today (`YYYY-MM-DD`) in that time zone, for relative periods. */
  readonly today: string;
}

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day as a UTC-pinned date, so date-fns day arithmetic never meets a DST jump. */
function dayDate(day: string, path: string): TZDate {
  const match = dayPattern.exec(day);
  const date = match
    ? new TZDate(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 'UTC')
    : undefined;
  if (!date || format(date, 'yyyy-MM-dd') !== day) {
    throw validationError(
      'period',
      [path],
      `'${day}' is not a calendar day; use YYYY-MM-DD, e.g. 2026-03-01`,
      'invalid_period',
    );
  }
  return date;
}

function dayOf(date: Date): string {
  return format(date, 'yyyy-MM-dd');
}

/** The UTC instant of local midnight of `day` in `timeZone`. */
function midnight(day: string, timeZone: string): string {
  // Cast: callers pass a YYYY-MM-DD day (checked by the period parser).
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(year, month - 1, date, timeZone).getTime()).toISOString();
}

function make(
  kind: PeriodKind,
  label: string,
  start: TZDate,
  end: TZDate,
  calendar: PeriodCalendar,
): Period {
  const startDay = dayOf(start);
  const endDay = dayOf(end);
  return {
    kind,
    label,
    start: startDay,
    end: endDay,
    startInstant: midnight(startDay, calendar.timeZone),
    endInstant: midnight(endDay, calendar.timeZone),
    timeZone: calendar.timeZone,
  };
}

function monthStart(year: number, month: number): TZDate {
  return new TZDate(year, month - 1, 1, 'UTC');
}

function month(year: number, monthNumber: number, calendar: PeriodCalendar): Period {
  const start = monthStart(year, monthNumber);
  return make('month', format(start, 'yyyy-MM'), start, addMonths(start, 1), calendar);
}

function quarter(year: number, q: number, calendar: PeriodCalendar): Period {
  const start = monthStart(year, (q - 1) * 3 + 1);
  return make('quarter', `${year}-Q${q}`, start, addMonths(start, 3), calendar);
}

function year(yearNumber: number, calendar: PeriodCalendar): Period {
  const start = monthStart(yearNumber, 1);
  return make('year', String(yearNumber), start, addMonths(start, 12), calendar);
}

/** The first month of fiscal year `fy` (named by the calendar year it ends in). */
function fiscalStart(fy: number, calendar: PeriodCalendar): TZDate {
  const startMonth = calendar.fiscalYearStartMonth;
  return monthStart(startMonth === 1 ? fy : fy - 1, startMonth);
}

function fiscalYear(fy: number, calendar: PeriodCalendar): Period {
  const start = fiscalStart(fy, calendar);
  return make('fiscalYear', `FY${fy}`, start, addMonths(start, 12), calendar);
}

function fiscalQuarter(fy: number, q: number, calendar: PeriodCalendar): Period {
  const start = addMonths(fiscalStart(fy, calendar), (q - 1) * 3);
  return make('fiscalQuarter', `FY${fy}-Q${q}`, start, addMonths(start, 3), calendar);
}

function custom(from: string, to: string, calendar: PeriodCalendar): Period {
  const start = dayDate(from, 'from');
  const last = dayDate(to, 'to');
  if (last < start) {
    throw validationError(
      'period',
      ['to'],
      `${to} is before from (${from}); the range runs from its first day to its last, e.g. { from: '2026-03-01', to: '2026-03-31' }`,
      'invalid_period',
    );
  }
  return make('custom', `${from}..${to}`, start, addDays(last, 1), calendar);
}

/** The fiscal year (by its name) a day falls in. */
function fiscalYearOf(day: TZDate, calendar: PeriodCalendar): number {
  const startMonth = calendar.fiscalYearStartMonth;
  const monthNumber = day.getMonth() + 1;
  if (startMonth === 1) return day.getFullYear();
  return monthNumber >= startMonth ? day.getFullYear() + 1 : day.getFullYear();
}

function relative(name: RelativePeriod, calendar: PeriodCalendar): Period {
  const today = dayDate(calendar.today, 'today');
  const y = today.getFullYear();
  const m = today.getMonth() + 1;
  const q = Math.floor((m - 1) / 3) + 1;
  switch (name) {
    case 'thisMonth':
      return month(y, m, calendar);
    case 'lastMonth':
      return m === 1 ? month(y - 1, 12, calendar) : month(y, m - 1, calendar);
    case 'thisQuarter':
      return quarter(y, q, calendar);
    case 'lastQuarter':
      return q === 1 ? quarter(y - 1, 4, calendar) : quarter(y, q - 1, calendar);
    case 'thisYear':
      return year(y, calendar);
    case 'lastYear':
      return year(y - 1, calendar);
    case 'thisFiscalYear':
      return fiscalYear(fiscalYearOf(today, calendar), calendar);
    case 'lastFiscalYear':
      return fiscalYear(fiscalYearOf(today, calendar) - 1, calendar);
  }
}

const relativeNames: readonly string[] = [
  'thisMonth',
  'lastMonth',
  'thisQuarter',
  'lastQuarter',
  'thisYear',
  'lastYear',
  'thisFiscalYear',
  'lastFiscalYear',
] satisfies readonly RelativePeriod[];

/** The period `all`: no limits. */
function allTime(calendar: PeriodCalendar): Period {
  return {
    kind: 'all',
    label: 'all',
    start: null,
    end: null,
    startInstant: null,
    endInstant: null,
    timeZone: calendar.timeZone,
  };
}

/**
 * Resolves what a caller said (`'2026-Q3'`, `'FY2026'`, `{ from, to }`, `'lastMonth'`) into days
 * and instants in the tenant's calendar. Invalid input is a VALIDATION error on path `period`.
 *
 * @example
 * resolvePeriod('FY2026', { timeZone: 'UTC', fiscalYearStartMonth: 4, today: '2026-01-10' });
 * // { kind: 'fiscalYear', label: 'FY2026', start: '2025-04-01', end: '2026-04-01', ... }
 */
export function resolvePeriod(input: PeriodInput, calendar: PeriodCalendar): Period {
  if (typeof input === 'object') return custom(input.from, input.to, calendar);
  if (input === 'all') return allTime(calendar);
  // Cast: includes() just proved it is one of the relative names.
  if (relativeNames.includes(input)) return relative(input as RelativePeriod, calendar);
  let match = /^(\d{4})-(\d{2})$/.exec(input);
  if (match) {
    const monthNumber = Number(match[2]);
    if (monthNumber >= 1 && monthNumber <= 12)
      return month(Number(match[1]), monthNumber, calendar);
  }
  match = /^(\d{4})-Q([1-4])$/.exec(input);
  if (match) return quarter(Number(match[1]), Number(match[2]), calendar);
  match = /^(\d{4})$/.exec(input);
  if (match) return year(Number(match[1]), calendar);
  match = /^FY(\d{4})(?:-Q([1-4]))?$/.exec(input);
  if (match) {
    const fy = Number(match[1]);
    return match[2] ? fiscalQuarter(fy, Number(match[2]), calendar) : fiscalYear(fy, calendar);
  }
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(input);
  const [, start, end] = range ?? [];
  if (start !== undefined && end !== undefined) return custom(start, end, calendar);
  throw validationError(
    'period',
    ['period'],
    `'${input}' is not accepted; use a month (2026-03), a quarter (2026-Q3), a year (2026), a fiscal year or quarter (FY2026, FY2026-Q1), a range of days (2026-03-01..2026-03-31), all, or ${relativeNames.join(', ')}`,
    'invalid_period',
  );
}

/**
 * The period before: the previous month, quarter, (fiscal) year, or for a custom range the range
 * of the same number of days that ends where it starts. `all` has none.
 *
 * @example
 * previousPeriod(resolvePeriod('2026-Q1', calendar), calendar)?.label; // '2025-Q4'
 */
export function previousPeriod(period: Period, calendar: PeriodCalendar): Period | null {
  if (period.start === null || period.end === null) return null;
  const start = dayDate(period.start, 'start');
  const end = dayDate(period.end, 'end');
  switch (period.kind) {
    case 'month': {
      const previous = addMonths(start, -1);
      return month(previous.getFullYear(), previous.getMonth() + 1, calendar);
    }
    case 'quarter': {
      const previous = addMonths(start, -3);
      return quarter(previous.getFullYear(), Math.floor(previous.getMonth() / 3) + 1, calendar);
    }
    case 'year':
      return year(start.getFullYear() - 1, calendar);
    case 'fiscalYear':
      return fiscalYear(Number(period.label.slice(2)) - 1, calendar);
    case 'fiscalQuarter': {
      const fy = Number(period.label.slice(2, 6));
      const q = Number(period.label.slice(-1));
      return q === 1 ? fiscalQuarter(fy - 1, 4, calendar) : fiscalQuarter(fy, q - 1, calendar);
    }
    default: {
      const days = differenceInCalendarDays(end, start);
      return custom(dayOf(addDays(start, -days)), dayOf(addDays(start, -1)), calendar);
    }
  }
}
