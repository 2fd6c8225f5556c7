import { format, isValid, parse } from 'date-fns';

/** A date read from a cell: its day, and the instant when the cell had a time. */
export type ReadDate =
  | { readonly day: string; readonly instant?: string }
  | { readonly problem: string };

const isoDate =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|z|[+-]\d{2}:?\d{2})?)?$/;

function fromInstant(date: Date): ReadDate {
  if (!isValid(date)) return { problem: 'is not a date' };
  const instant = date.toISOString();
  return { day: instant.slice(0, 10), instant };
}

/**
 * Reads a date cell. Without a format (or `iso`): `2026-03-31`, `2026-03-31T14:00:00Z`,
 * `2026-03-31 14:00` (a time without an offset is UTC). `epoch-s` and `epoch-ms` read Unix
 * time. Any other format is a date-fns pattern (`dd.MM.yyyy` as German exports write it,
 * `MM/dd/yyyy` as US ones, `dd.MM.yyyy HH:mm`); its wall time is read as UTC.
 *
 * @example
 * readDate('31.03.2026', 'dd.MM.yyyy'); // { day: '2026-03-31', instant: '2026-03-31T00:00:00Z' }
 */
export function readDate(text: string, pattern: string | undefined): ReadDate {
  if (pattern === 'epoch-s' || pattern === 'epoch-ms') {
    if (!/^\d+(\.\d+)?$/.test(text))
      return { problem: `"${text}" is not a Unix time (${pattern})` };
    return fromInstant(new Date(Number(text) * (pattern === 'epoch-s' ? 1000 : 1)));
  }
  if (pattern === undefined || pattern === 'iso') {
    const match = isoDate.exec(text);
    if (!match) {
      return { problem: `"${text}" is not a date (YYYY-MM-DD, or give the column's date format)` };
    }
    const [, day, time, offset] = match;
    // JavaScript rolls 2026-02-30 over to March 2 (with or without a time): check the day first.
    const midnight = new Date(`${day}T00:00:00Z`);
    if (!isValid(midnight) || midnight.toISOString().slice(0, 10) !== day) {
      return { problem: `"${text}" is not a date of the calendar` };
    }
    // Cast: the format's pattern matched, so its day group is set.
    if (!time) return { day: day as string };
    // And 24:00 or 10:75 over to the next hour or day.
    const [hours = 0, minutes = 0, seconds = 0] = time.split(':').map(Number);
    if (hours > 23 || minutes > 59 || seconds >= 60) {
      return { problem: `"${text}" is not a time of the day` };
    }
    const zone = offset
      ? /^[zZ]$/.test(offset)
        ? 'Z'
        : offset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
      : 'Z';
    const date = new Date(`${day}T${time}${zone}`);
    if (!isValid(date)) return { problem: `"${text}" is not a date and time` };
    // Cast: the format's pattern matched, so its day group is set.
    return offset ? fromInstant(date) : { day: day as string, instant: date.toISOString() };
  }
  const date = parse(text, pattern, new Date(2000, 0, 1));
  // date-fns accepts 31.02. as 03.03.: a date that does not print back the same is refused.
  if (!isValid(date) || format(date, pattern) !== text) {
    return { problem: `"${text}" is not a date in the format ${pattern}` };
  }
  const wall = format(date, "yyyy-MM-dd'T'HH:mm:ss");
  return { day: wall.slice(0, 10), instant: `${wall}Z` };
}
