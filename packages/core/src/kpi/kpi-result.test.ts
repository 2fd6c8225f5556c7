import { describe, expect, test } from 'vitest';
import { wilsonInterval } from './kpi-result.js';
import { kpiDivide, kpiRatio } from './kpi-value.js';

describe('wilsonInterval', () => {
  test('2 of 3 is far from certain: about 21% to 94%', () => {
    const interval = wilsonInterval(2, 3)!;
    expect(interval.lower).toBeCloseTo(0.2077, 4);
    expect(interval.upper).toBeCloseTo(0.9385, 4);
    expect(interval.level).toBe(0.95);
  });

  test('0 of 10 starts at exactly 0, 10 of 10 ends at exactly 1', () => {
    expect(wilsonInterval(0, 10)).toMatchObject({ lower: 0, upper: expect.closeTo(0.2775, 4) });
    expect(wilsonInterval(10, 10)).toMatchObject({ lower: expect.closeTo(0.7225, 4), upper: 1 });
  });

  test('narrows as the sample grows, around the same rate', () => {
    const small = wilsonInterval(6, 10)!;
    const large = wilsonInterval(600, 1000)!;
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
    expect(large.lower).toBeLessThan(0.6);
    expect(large.upper).toBeGreaterThan(0.6);
  });

  test('no trials, no interval', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('kpiRatio and kpiDivide', () => {
  test('never divide by zero; they say why instead', () => {
    expect(kpiRatio(3, 4)).toEqual({ value: 0.75, successes: 3, trials: 4 });
    expect(kpiRatio(0, 0, 'no closed opportunities')).toMatchObject({
      value: null,
      reason: 'no closed opportunities',
    });
    expect(kpiDivide(10, 4)).toEqual({ value: 2.5 });
    expect(kpiDivide(10, 0, 'no quota')).toEqual({ value: null, reason: 'no quota' });
    expect(kpiDivide(null, 3)).toEqual({ value: null, reason: 'no data' });
  });
});
