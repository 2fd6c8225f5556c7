const dayMs = 86_400_000;

/** @internal Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${date}`);
  return Math.floor(ms / dayMs);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

// Formatting through Date costs microseconds per call; generators format millions of dates,
// so days are converted with Hinnant's civil-from-days and cached.
const dayCache = new Map<number, string>();

/** @internal The `YYYY-MM-DD` of a day number. */
export function isoDay(day: number): string {
  let text = dayCache.get(day);
  if (text === undefined) {
    const z = day + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor(
      (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
    );
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    text = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
    if (dayCache.size < 100_000) dayCache.set(day, text);
  }
  return text;
}

/** @internal An ISO timestamp at `seconds` after the start of a day (UTC). */
export function isoTime(day: number, seconds: number): string {
  const whole = Math.floor(seconds);
  const extraDays = Math.floor(whole / 86_400);
  const rest = whole - extraDays * 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  return `${isoDay(day + extraDays)}T${pad2(h)}:${pad2(m)}:${pad2(rest % 60)}.000Z`;
}

/** @internal Day numbers of the first day of `count + 1` consecutive months from `start`. */
export function monthStarts(start: string, count: number): number[] {
  const first = new Date(`${start}T00:00:00Z`);
  const starts: number[] = [];
  for (let k = 0; k <= count; k++) {
    starts.push(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + k, 1) / dayMs);
  }
  return starts;
}

/** @internal The calendar month (0 = January) of a day number. */
export function monthOf(day: number): number {
  return new Date(day * dayMs).getUTCMonth();
}
