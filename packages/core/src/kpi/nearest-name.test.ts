import { describe, expect, test } from 'vitest';
import { editDistance, nearestName } from './nearest-name.js';

describe('editDistance', () => {
  test('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
  });
});

describe('nearestName', () => {
  const ids = ['closing.winRate', 'closing.wonRevenue', 'pipeline.coverage'];

  test('a typo finds the id it was meant to be', () => {
    expect(nearestName('closing.winrate', ids)).toBe('closing.winRate');
    expect(nearestName('closing.winRat', ids)).toBe('closing.winRate');
    expect(nearestName('closing.wonRevnue', ids)).toBe('closing.wonRevenue');
  });

  test('a name far from every candidate suggests nothing', () => {
    expect(nearestName('leads.costPerLead', ids)).toBeUndefined();
    expect(nearestName('x', [])).toBeUndefined();
  });
});
