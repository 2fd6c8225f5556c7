import { expect, it } from 'vitest';
import { runSecurityModel } from './test-security-model.js';

/**
 * npm test runs at least 600 operations (sequences of up to 100); `node scripts/security-model.mjs` (or
 * RAPPORT_MODEL_OPS=10000) runs the full size.
 */
const operations = Number(process.env.RAPPORT_MODEL_OPS ?? 600);
const commands = 100;

it(`random operations of every role over two tenants reveal, count and change only what the model allows (${operations} ops)`, async () => {
  const stats = await runSecurityModel({
    operations,
    commands,
    checks: { references: false },
  });
  const ran = Object.values(stats).reduce((sum, value) => sum + value, 0);
  console.info(`security model: ${ran} operations`, JSON.stringify(stats));
  expect(ran).toBeGreaterThanOrEqual(operations);
  // Each kind of operation ran, so the run proved something about each.
  for (const kind of [
    'create',
    'create refused',
    'update',
    'update refused',
    'delete',
    'get',
    'list',
    'count',
    'kpi',
  ]) {
    expect(stats[kind] ?? 0, kind).toBeGreaterThan(0);
  }
}, 600_000);
