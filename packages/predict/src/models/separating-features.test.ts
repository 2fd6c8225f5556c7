import { describe, expect, it } from 'vitest';
import type { LabelledCase } from './binary-model.js';
import { separatingFeatures, withoutFeatures } from './separating-features.js';

function cases(values: readonly [number | null, 0 | 1][], feature: string): LabelledCase[] {
  return values.map(([value, label], i) => ({
    id: `c${i}`,
    at: '2026-01-01T00:00:00.000Z',
    row: { [feature]: value, stage: 'Proposal' },
    label,
  }));
}

const many = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));

describe('separatingFeatures', () => {
  it('finds a feature every lost case has below every won one (an amount zeroed on loss)', () => {
    const rows = cases(
      [
        ...many(60, (): [number, 0 | 1] => [0, 0]),
        ...many(60, (i): [number, 0 | 1] => [100 + i, 1]),
      ],
      'amountRatio',
    );
    expect(separatingFeatures(rows, 50)).toEqual(['amountRatio']);
    const kept = withoutFeatures(rows, ['amountRatio']);
    expect(kept.every((c) => !('amountRatio' in c.row) && c.row.stage === 'Proposal')).toBe(true);
    expect(rows[0]!.row.amountRatio).toBe(0);
  });

  it('keeps a feature whose classes overlap, even by one case, or tie at the boundary', () => {
    const overlap = cases(
      [
        ...many(60, (i): [number, 0 | 1] => [i, 0]),
        ...many(60, (i): [number, 0 | 1] => [59 + i, 1]),
      ],
      'daysInStage',
    );
    expect(separatingFeatures(overlap, 50)).toEqual([]);
    const slips = cases(
      [...many(60, (): [number, 0 | 1] => [0, 0]), ...many(60, (i): [number, 0 | 1] => [i % 3, 1])],
      'closeDateSlips',
    );
    expect(separatingFeatures(slips, 50)).toEqual([]);
  });

  it('does not judge a feature known for too few cases of a label', () => {
    const sparse = cases(
      [
        ...many(10, (): [number, 0 | 1] => [0, 0]),
        ...many(50, (): [null, 0 | 1] => [null, 0]),
        ...many(60, (i): [number, 0 | 1] => [5 + i, 1]),
      ],
      'amountRatio',
    );
    expect(separatingFeatures(sparse, 50)).toEqual([]);
  });
});
