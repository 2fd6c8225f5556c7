import { expect, test } from 'vitest';
import { main } from './main.js';

// Worked out by hand from the records main() seeds (amounts in euro cents):
// March: Globex 1,200.00 won with 3 completed activities (onsite, phone, phone) -> 400.00 each;
// Initech 600.00 won with 2 (onsite, no channel) -> 300.00 each. The 5,000.00 deal without
// activities, the open deal's call and Globex's planned video call do not count.
// February: Umbrella 800.00 won with 2 (video, phone) -> 400.00 each.
const { byChannel, wonRevenue, phoneOnly, april } = await main();

test('revenue per activity: won revenue over the completed activities on the won deals', () => {
  // (1,200.00 + 600.00) / 5 activities
  expect(byChannel.value).toBe(360_00);
  expect(byChannel.sampleSize).toBe(5);
  expect(byChannel.currency).toBe('EUR');
  // February: 800.00 / 2; March is 40.00 lower, -10%.
  expect(byChannel.previous?.value).toBe(400_00);
  expect(byChannel.previous?.change).toBe(-40_00);
  expect(byChannel.previous?.relativeChange).toBeCloseTo(-0.1, 10);
  // The closing plugin's won revenue, evaluated alongside, also counts the deal without activities.
  expect(wonRevenue.value).toBe(1_200_00 + 600_00 + 5_000_00);
});

test('broken down by the custom field: each channel gets the shares of its activities', () => {
  const groups = byChannel.breakdown!.map((g) => [g.key, g.value, g.sampleSize]);
  expect(groups).toEqual([
    ['onsite', (400_00 + 300_00) / 2, 2],
    ['phone', (400_00 + 400_00) / 2, 2],
    [null, 300_00, 1], // the activity without a channel
  ]);
  // Shares add up: the groups' revenue is the total's.
  const revenue = byChannel.breakdown!.reduce((sum, g) => sum + (g.value ?? 0) * g.sampleSize, 0);
  expect(revenue).toBe(byChannel.value! * byChannel.sampleSize);
});

test('filtered by the custom field: the same share per activity as in the breakdown', () => {
  expect(phoneOnly.value).toBe(400_00);
  expect(phoneOnly.sampleSize).toBe(2);
  // February's phone call on Umbrella: 800.00 / 2.
  expect(phoneOnly.previous?.value).toBe(400_00);
});

test('a period without won deals has no value and says why', () => {
  expect(april.value).toBeNull();
  expect(april.reason).toBe('no completed activities on won opportunities');
  expect(april.sampleSize).toBe(0);
  expect(april.previous?.value).toBe(360_00);
});
