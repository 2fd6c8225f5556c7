import { expect, test } from 'vitest';
import { monthsBefore, periodEnd } from './periods.js';

test('a year, quarter or month label gives its exclusive end; other periods none', () => {
  expect(periodEnd('2025')).toBe('2026-01-01');
  expect(periodEnd('2025-Q1')).toBe('2025-04-01');
  expect(periodEnd('2025-Q4')).toBe('2026-01-01');
  expect(periodEnd('2025-02')).toBe('2025-03-01');
  expect(periodEnd('2025-12')).toBe('2026-01-01');
  for (const other of [
    'thisMonth',
    'all',
    'FY2025',
    '2025-13',
    '2025-Q5',
    '2025-03-01..2025-03-15',
  ])
    expect(periodEnd(other)).toBeNull();
});

test('the twelve months before a year end are that year', () => {
  const months = monthsBefore(periodEnd('2025') ?? '');
  expect(months).toHaveLength(12);
  expect(months[0]).toBe('2025-01');
  expect(months[11]).toBe('2025-12');
});
