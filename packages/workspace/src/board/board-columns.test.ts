import { expect, test } from 'vitest';
import type { Opportunity, Pipeline } from '../api/api-client.js';
import { boardColumns, closingStage } from './board-columns.js';

const pipeline: Pick<Pipeline, 'stages'> = {
  stages: [
    { name: 'Prospecting', probability: 10, status: 'open', forecastCategory: 'Pipeline' },
    { name: 'Engaging', probability: 50, status: 'open', forecastCategory: 'BestCase' },
    { name: 'Won', probability: 100, status: 'won', forecastCategory: 'Closed' },
    { name: 'Lost', probability: 0, status: 'lost', forecastCategory: 'Omitted' },
  ],
};

function deal(id: string, stage: string, amount: number | null, probability?: number): Opportunity {
  return {
    id,
    stage,
    amount,
    status: 'open',
    name: id,
    closeDate: '2026-12-31',
    version: 1,
    tenantId: 't',
    externalId: null,
    custom: {},
    createdAt: '',
    createdBy: '',
    updatedAt: '',
    updatedBy: '',
    ...(probability === undefined ? {} : { probability }),
  };
}

test('columns hold the open stages with count, value and weighted value, largest deal first', () => {
  const columns = boardColumns(pipeline, [
    deal('a', 'Prospecting', 1000, 10),
    deal('b', 'Engaging', 3000, 50),
    deal('c', 'Engaging', 5000, 60),
    deal('d', 'Engaging', null),
    deal('e', 'Gone', 9000),
  ]);
  expect(columns.map((c) => c.stage)).toEqual(['Prospecting', 'Engaging']);
  expect(columns[0]).toMatchObject({ count: 1, value: 1000, weighted: 100 });
  expect(columns[1]).toMatchObject({ count: 3, value: 8000, weighted: 4500 });
  expect(columns[1]!.deals.map((d) => d.id)).toEqual(['c', 'b', 'd']);
});

test('closing finds the won and the lost stage', () => {
  expect(closingStage(pipeline, 'won')).toBe('Won');
  expect(closingStage(pipeline, 'lost')).toBe('Lost');
});
