import { describe, expect, it } from 'vitest';
import { encodeRow, fitEncoder, otherCategory } from './feature-encoder.js';

describe('feature encoder', () => {
  const rows = [
    { source: 'Web', touches: 1 },
    { source: 'Web', touches: 3 },
    { source: 'Event', touches: null },
    { source: 'Rare', touches: 2 },
  ];

  it('one-hot columns after a reference level, rare values pooled, numbers standardised', () => {
    const encoder = fitEncoder(rows, { minCount: 2 });
    // Kept: Web (2 cases); Event and Rare become (other), the reference level.
    expect(encoder.categories.source).toEqual(['Web']);
    expect(encoder.columns.map((c) => `${c.feature}:${c.kind}:${c.value ?? ''}`)).toEqual([
      'source:category:Web',
      'touches:number:',
      'touches:missing:',
    ]);
    expect(encoder.scales.touches).toEqual({ mean: 2, sd: Math.sqrt(2 / 3) });
    expect(encodeRow(encoder, { source: 'Web', touches: 3 })).toEqual([1, 1 / Math.sqrt(2 / 3), 0]);
    expect(encodeRow(encoder, { source: 'Unknown', touches: null })).toEqual([0, 0, 1]);
    expect(encoder.columns[0]?.mean).toBe(0.5);
    expect(otherCategory).toBe('(other)');
  });
});
