import { describe, expect, it } from 'vitest';
import { at } from './checked.js';

describe('at', () => {
  it('returns the element in bounds, null included', () => {
    expect(at([4, 5, 6], 2)).toBe(6);
    expect(at([null], 0)).toBeNull();
    expect(at(new Float64Array([1.5]), 0)).toBe(1.5);
  });

  it('throws outside the bounds instead of returning undefined', () => {
    expect(() => at([1], 1)).toThrow(RangeError);
    expect(() => at([1], -1)).toThrow(RangeError);
    expect(() => at([1], 0.5)).toThrow(RangeError);
  });
});
