import { defaultPipelineStages } from '@rapport/core';
import { expect, test } from 'vitest';
import { generateStageHistory } from './stage-history.js';

const stages = defaultPipelineStages;
const deal = { amount: 500_00, currency: 'EUR', openDate: '2026-01-10', closeDate: '2026-03-01' };

test('a won deal walks every open stage from its open date and closes on its close date', () => {
  const [batch] = [
    ...generateStageHistory([{ id: 'o1', stage: 'Closed Won', ...deal }], {
      tenantId: 't',
      stages,
      asOf: '2026-06-30',
    }),
  ];
  const rows = batch?.rows ?? [];
  expect(rows.map((r) => r.stage)).toEqual([
    ...stages.slice(0, 8).map((s) => s.name),
    'Closed Won',
  ]);
  expect(rows[0]).toMatchObject({
    previousStage: null,
    createdAt: expect.stringMatching(/^2026-01-10T/),
  });
  expect(rows.at(-1)).toMatchObject({
    previousStage: 'Negotiation/Review',
    status: 'won',
    closeDate: '2026-03-01',
  });
  expect(rows.at(-1)?.createdAt).toMatch(/^2026-03-01T/);
  const times = rows.map((r) => r.createdAt);
  expect([...times].sort()).toEqual(times);
});

test('an open deal stops at its stage; same seed, same rows', () => {
  const run = () => [
    ...generateStageHistory([{ id: 'o2', stage: 'Needs Analysis', ...deal }], {
      tenantId: 't',
      stages,
      asOf: '2026-02-01',
      seed: 3,
    }),
  ];
  const rows = run()[0]?.rows ?? [];
  expect(rows.map((r) => r.stage)).toEqual(['Prospecting', 'Qualification', 'Needs Analysis']);
  expect(rows.every((r) => r.createdAt < '2026-02-02')).toBe(true);
  expect(run()).toEqual(run());
});
