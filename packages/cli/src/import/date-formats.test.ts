import { expect, test } from 'vitest';
import { readDate } from './date-formats.js';

test('ISO days and instants are read as written', () => {
  expect(readDate('2026-02-28', undefined)).toEqual({ day: '2026-02-28' });
  expect(readDate('2028-02-29', 'iso')).toEqual({ day: '2028-02-29' });
  expect(readDate('2026-03-31T14:00:00Z', undefined)).toEqual({
    day: '2026-03-31',
    instant: '2026-03-31T14:00:00.000Z',
  });
  expect(readDate('2026-03-31 23:59:59', undefined)).toEqual({
    day: '2026-03-31',
    instant: '2026-03-31T23:59:59.000Z',
  });
  expect(readDate('31.03.2026', 'dd.MM.yyyy')).toEqual({
    day: '2026-03-31',
    instant: '2026-03-31T00:00:00Z',
  });
});

test('a day or time that does not exist is a problem, never rolled over to the next one', () => {
  for (const text of [
    '2026-02-30',
    '2026-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-02-30T10:00:00Z',
    '2026-02-31 10:00',
    '2026-04-31T00:00:00+02:00',
    '2026-02-28T24:00:00Z',
    '2026-02-28T10:60:00Z',
    '2026-02-28T10:00:60Z',
    '2026-02-28T10:00:00+25:00',
  ]) {
    expect(readDate(text, undefined), text).toHaveProperty('problem');
  }
  expect(readDate('30.02.2026', 'dd.MM.yyyy')).toHaveProperty('problem');
});
