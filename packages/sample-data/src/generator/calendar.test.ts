import { expect, test } from 'vitest';
import { dayNumber, isoDay, isoTime, monthStarts } from './calendar.js';

test('isoDay and isoTime agree with Date for every day over decades', () => {
  for (let day = dayNumber('1999-12-25'); day < dayNumber('2041-03-03'); day += 7) {
    expect(isoDay(day)).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
    const seconds = (day % 86_400) + 0.5;
    expect(isoTime(day, seconds)).toBe(
      new Date(day * 86_400_000 + Math.floor(seconds) * 1000).toISOString(),
    );
  }
  expect(isoTime(dayNumber('2024-12-31'), 86_400 + 61)).toBe('2025-01-01T00:01:01.000Z');
});

test('monthStarts crosses years', () => {
  expect(monthStarts('2025-11-15', 3).map(isoDay)).toEqual([
    '2025-11-01',
    '2025-12-01',
    '2026-01-01',
    '2026-02-01',
  ]);
});
