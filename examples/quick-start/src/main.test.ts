import { expect, it } from 'vitest';
import { main } from './main.js';

it('runs the README quick start', async () => {
  const result = await main();
  expect(result).toEqual({ stage: 'Closed Won', amount: 12_000_00, historyRows: 2 });
});
