import { expect, test } from 'vitest';
import { readUrlState, writeUrlState } from './url-state.js';

test('a view, its period and filters survive the URL round trip', () => {
  const state = readUrlState(
    '?view=leads&period=2026-Q3&team=t1&sort=company&status=Working+-+Contacted&lang=de',
  );
  expect(state).toMatchObject({
    view: 'leads',
    period: '2026-Q3',
    team: 't1',
    leadSort: 'company',
    leadStatus: 'Working - Contacted',
    lang: 'de',
  });
  expect(readUrlState(writeUrlState(state))).toEqual(state);
});

test('unknown views and pages fall back to the defaults', () => {
  expect(readUrlState('?view=nope&page=-2')).toMatchObject({ view: 'kpis', riskPage: 1 });
  expect(writeUrlState(readUrlState(''))).toBe('');
});
