import { expect, it } from 'vitest';
import { runBadRequests } from './test-bad-requests.js';

/** npm test sends 1,500; `node scripts/security-fuzz.mjs` (RAPPORT_FUZZ_REQUESTS=10000) the full run. */
const count = Number(process.env.RAPPORT_FUZZ_REQUESTS ?? 1500);

it(`${count} generated bad requests over every route with input: each a 4xx problem with a known code, none a 500, the database unchanged`, async () => {
  const result = await runBadRequests(count);
  console.info(
    `bad requests: ${result.sent} sent over ${result.routes} routes; statuses ${JSON.stringify(result.statuses)}; categories ${JSON.stringify(result.categories)}`,
  );
  for (const finding of result.findings) console.error('finding:', JSON.stringify(finding));
  expect(result.findings).toEqual([]);
  expect(result.unchanged).toBe(true);
  expect(result.sent).toBe(count);
}, 600_000);
