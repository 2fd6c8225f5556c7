import { describe, expect, it } from 'vitest';
import { opportunityObject } from '../objects/standard-objects.js';
import { columnKindOf, comparableValue } from './filter-values.js';

describe('filter values against the column kind', () => {
  it('knows the kind of stored and system fields, and nothing of unknown ones', () => {
    expect(columnKindOf(opportunityObject, 'closeDate')).toBe('date');
    expect(columnKindOf(opportunityObject, 'amount')).toBe('money');
    expect(columnKindOf(opportunityObject, 'createdAt')).toBe('timestamp');
    expect(columnKindOf(opportunityObject, 'version')).toBe('integer');
    expect(columnKindOf(opportunityObject, 'nothing')).toBeUndefined();
    expect(columnKindOf(opportunityObject, 'toString')).toBeUndefined();
  });

  it('takes real calendar days only, leap years included', () => {
    for (const day of ['2026-01-31', '2024-02-29', '2000-02-29', '2026-12-31']) {
      expect(comparableValue('date', day)).toEqual({ value: day });
    }
    for (const bad of [
      '2026-02-30',
      '2026-02-29',
      '1900-02-29',
      '2026-13-01',
      '2026-04-31',
      '2026-1-1',
      20260101,
      null,
    ]) {
      expect(comparableValue('date', bad)).toHaveProperty('reason');
    }
  });

  it('normalises instants to UTC ISO as stored, and a day to its midnight UTC', () => {
    expect(comparableValue('timestamp', '2026-03-01T10:00:00+02:00')).toEqual({
      value: '2026-03-01T08:00:00.000Z',
    });
    expect(comparableValue('timestamp', '2026-03-01')).toEqual({
      value: '2026-03-01T00:00:00.000Z',
    });
    for (const bad of ['2026-02-30T00:00:00Z', 'yesterday', '2026-03-01T25:00:00Z', 0]) {
      expect(comparableValue('timestamp', bad)).toHaveProperty('reason');
    }
  });

  it('takes finite numbers, safe whole numbers for integer and money, text without NUL', () => {
    expect(comparableValue('number', 12.5)).toEqual({ value: 12.5 });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '12', true]) {
      expect(comparableValue('number', bad)).toHaveProperty('reason');
    }
    expect(comparableValue('money', -5)).toEqual({ value: -5 });
    for (const bad of [1.5, 2 ** 53, '100', Number.NaN]) {
      expect(comparableValue('money', bad)).toHaveProperty('reason');
      expect(comparableValue('integer', bad)).toHaveProperty('reason');
    }
    expect(comparableValue('text', 'Über 😀')).toEqual({ value: 'Über 😀' });
    for (const bad of ['a\u0000b', 1, { a: 1 }, ['a']]) {
      expect(comparableValue('text', bad)).toHaveProperty('reason');
    }
    expect(comparableValue('boolean', false)).toEqual({ value: false });
    expect(comparableValue('boolean', 'false')).toHaveProperty('reason');
    expect(comparableValue('json', { a: 1 })).toHaveProperty('reason');
  });
});
