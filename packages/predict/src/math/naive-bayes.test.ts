import { describe, expect, it } from 'vitest';
import { fitNaiveBayes, predictNaiveBayes } from './naive-bayes.js';

describe('naive Bayes (Odoo-style frequencies)', () => {
  it('multiplies the smoothed per-value likelihood ratios with the prior', () => {
    // 2 won (both Web), 2 lost (one Web, one Event).
    const rows = [{ source: 'Web' }, { source: 'Web' }, { source: 'Web' }, { source: 'Event' }];
    const model = fitNaiveBayes(rows, [1, 1, 0, 0], ['source']);
    // Levels: Web, Event, (unseen) = 3. P(Web|won) = 3/5, P(Web|lost) = 2/5; prior (2+1)/(2+1) = 1.
    const odds = (3 / 5 / (2 / 5)) * 1;
    expect(predictNaiveBayes(model, { source: 'Web' })).toBeCloseTo(odds / (1 + odds), 12);
    // Event: P(Event|won) = 1/5, P(Event|lost) = 2/5.
    expect(predictNaiveBayes(model, { source: 'Event' })).toBeCloseTo(1 / 3, 12);
    // An unseen value: 1/5 vs 1/5, the prior alone.
    expect(predictNaiveBayes(model, { source: 'Fax' })).toBeCloseTo(0.5, 12);
  });
});
