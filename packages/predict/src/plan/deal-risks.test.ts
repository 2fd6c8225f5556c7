import { describe, expect, it } from 'vitest';
import type { DealContext } from '../deals/deal-context.js';
import type { ForecastDeal } from '../forecast/pipeline-forecast.js';
import { dealRisks, describeRisk } from './deal-risks.js';

const context: DealContext = {
  asOf: 1000,
  closed: [],
  wonStageDays: new Map([['Proposal', 12]]),
  wonCycles: [40, 50, 60, 70, 80],
  ownerWonAmount: new Map([['rita', 10_000_00]]),
  wonAmount: 10_000_00,
  ownerRecord: new Map(),
  productRecord: new Map(),
  winRate: 0.5,
};

function deal(overrides: Partial<ForecastDeal['state']>): ForecastDeal {
  return {
    deal: { id: 'd1', ownerId: 'rita', openDay: 980 } as ForecastDeal['deal'],
    state: {
      stage: 'Proposal',
      stageProbability: 0.6,
      forecastCategory: 'Pipeline',
      stageSince: 995,
      closeDay: 1050,
      amount: 8_000_00,
      recordedAmount: 8_000_00,
      slips: 0,
      lastActivity: 999,
      ...overrides,
    },
    win: { probability: 0.5, method: 'logistic', factors: [] },
    inPeriod: 0.4,
  };
}

describe('deal risks, hand-worked', () => {
  it('a healthy deal has none', () => {
    expect(dealRisks(deal({}), context, 1000)).toEqual([]);
  });

  it('names every reason with its figure', () => {
    const risky = deal({
      stageSince: 936,
      slips: 3,
      amount: 45_000_00,
      lastActivity: 950,
      closeDay: 1005,
    });
    const risks = dealRisks(risky, context, 1000);
    expect(risks).toEqual([
      { kind: 'closeDateSlipped', slips: 3 },
      { kind: 'longInStage', stage: 'Proposal', days: 64, wonMedian: 12 },
      { kind: 'amountAboveOwner', amount: 45_000_00, ownerMedian: 10_000_00 },
      { kind: 'noActivity', days: 50 },
      // Age 20: won deals older than 20 days needed 20..60 more, median 40; 5 left is under half.
      { kind: 'closeTooSoon', daysLeft: 5, typicalRemaining: 40 },
    ]);
    expect(describeRisk(risks[1]!, 'en')).toBe(
      'in Proposal for 64 days; won deals spent a median of 12',
    );
    expect(describeRisk(risks[1]!, 'de')).toBe(
      'seit 64 Tagen in Proposal; gewonnene Deals brauchten im Median 12',
    );
    expect(describeRisk(risks[0]!, 'en')).toBe('close date moved out 3 times');
  });
});
