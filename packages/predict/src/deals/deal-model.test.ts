import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastPeriod } from '../forecast/pipeline-forecast.js';
import { seededRandom } from '../math/random.js';
import { trainDealModel } from './deal-model.js';
import { type DealHistory, type DealTimeline, dealStateAt } from './deal-timeline.js';

const pipeline = {
  stages: [
    { name: 'Prospecting', probability: 10, status: 'open', forecastCategory: 'Pipeline' },
    { name: 'Proposal', probability: 60, status: 'open', forecastCategory: 'BestCase' },
    { name: 'Won', probability: 100, status: 'won', forecastCategory: 'Closed' },
    { name: 'Lost', probability: 0, status: 'lost', forecastCategory: 'Omitted' },
  ],
} as const;

/**
 * Deals imported with only their final state (no stage history, as the Maven set): one opened
 * every day from day 1000, closed 10 to 70 days later, won with a chance that falls with the
 * amount; the last `open` still open. `lostAmount` is what the source wrote on a lost deal.
 */
function importedHistory(seed: number, count: number, open: number, lostAmount: number | null) {
  const random = seededRandom(seed);
  const deals: DealTimeline[] = Array.from({ length: count }, (_, i) => {
    const amount = (1000 + Math.floor(random() * 9000)) * 100;
    const won = random() < 0.7 - amount / 2_000_000;
    const status = i >= count - open ? 'open' : won ? 'won' : 'lost';
    return {
      id: `d${i}`,
      name: `Deal ${i}`,
      ownerId: `o${i % 3}`,
      teamId: null,
      productId: null,
      pipelineId: 'p',
      amount: status === 'lost' && lostAmount !== null ? lostAmount : amount,
      openDay: 1000 + i,
      closeDay: 1000 + i + 10 + Math.floor(random() * 60),
      status,
      stage: status === 'won' ? 'Won' : status === 'lost' ? 'Lost' : 'Proposal',
      forecastCategory: 'Pipeline',
      probability: 60,
      changes: [],
      activityDays: [],
    };
  });
  const history: DealHistory = {
    deals,
    pipelines: new Map([['p', pipeline]]),
    baseCurrency: 'EUR',
    ownerNames: new Map(),
    teamNames: new Map(),
    productNames: new Map(),
  };
  return history;
}

describe('deal win probabilities', () => {
  it('hand-worked: a closed deal without history has no recorded amount on a past day', () => {
    const [deal] = importedHistory(1, 1, 0, 0).deals;
    if (!deal) throw new Error('one deal');
    const state = dealStateAt(deal, pipeline, deal.openDay + 5);
    // Its final amount may have been written by the outcome (0 on a lost deal here).
    expect(state?.recordedAmount).toBeNull();
    expect(state?.stage).toBe('Proposal');
    const open = { ...deal, status: 'open' as const, stage: 'Proposal' };
    expect(dealStateAt(open, pipeline, deal.openDay + 5)?.recordedAmount).toBe(deal.amount);
    const withHistory = {
      ...deal,
      changes: [
        {
          day: deal.openDay,
          stage: 'Proposal',
          status: 'open' as const,
          amount: 5000_00,
          closeDate: deal.closeDay,
          previousCloseDate: null,
        },
      ],
    };
    expect(dealStateAt(withHistory, pipeline, deal.openDay + 5)?.recordedAmount).toBe(5000_00);
  });

  it('an amount the outcome wrote (0 on lost deals) does not make the model sure', () => {
    // Were the final amount a feature, "amount > 0" would tell won from lost perfectly.
    const history = importedHistory(2, 400, 40, 0);
    const day = 1000 + 360;
    const result = forecastPeriod(history, day, day + 90, day, { runs: 200, minClosedEach: 20 });
    expect(result.method).not.toBe('stageDefault');
    for (const d of result.deals) expect(d.win.probability).toBeLessThan(0.99);
  });

  it('probabilities stay in [0, 1], learned or by stage default, on any history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 30, max: 300 }),
        fc.constantFrom(0, null),
        fc.integer({ min: 0, max: 400 }),
        (seed, count, lostAmount, offset) => {
          const history = importedHistory(seed, count, Math.floor(count / 5), lostAmount);
          const day = 1000 + Math.min(offset, count + 80);
          const { model } = trainDealModel(history, day, { minClosedEach: 10 });
          expect(model.wins + model.losses).toBeLessThanOrEqual(count);
          const result = forecastPeriod(history, day, day + 30, day, {
            runs: 100,
            minClosedEach: 10,
          });
          for (const d of result.deals) {
            expect(d.win.probability).toBeGreaterThanOrEqual(0);
            expect(d.win.probability).toBeLessThanOrEqual(1);
            expect(d.inPeriod).toBeGreaterThanOrEqual(0);
            expect(d.inPeriod).toBeLessThanOrEqual(d.win.probability);
          }
          expect(result.total.p10).toBeLessThanOrEqual(result.total.p50);
          expect(result.total.p50).toBeLessThanOrEqual(result.total.p90);
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
