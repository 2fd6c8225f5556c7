import { sharingLevels, teamSharingLevels } from '@rapport/core';
import { expect, it } from 'vitest';
import { runSecurityModel } from './test-security-model.js';

/**
 * npm test runs at least 600 operations (sequences of up to 100); `node scripts/security-model.mjs` (or
 * RAPPORT_MODEL_OPS=10000) runs the full size. The operations include random changes of the
 * sharing settings (issue 13), so reads and writes run under every org-wide default and team
 * sharing level, by every role (the readonly role too).
 */
const operations = Number(process.env.RAPPORT_MODEL_OPS ?? 600);
const commands = 100;

it(`random operations of every role over two tenants and every sharing setting reveal, count and change only what the model allows (${operations} ops)`, async () => {
  const { stats, coverage } = await runSecurityModel({
    operations,
    commands,
    checks: { references: false },
  });
  const ran = Object.values(stats).reduce((sum, value) => sum + value, 0);
  console.info(`security model: ${ran} operations`, JSON.stringify(stats));
  console.info('security model: operations per setting in force', JSON.stringify(coverage));
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
    'sharing',
    'sharing refused',
    'readonly write refused',
  ]) {
    expect(stats[kind] ?? 0, kind).toBeGreaterThan(0);
  }
  // ... and under every setting: each org-wide default of each object, each team sharing level,
  // each role.
  for (const object of ['account', 'opportunity', 'contact']) {
    for (const level of sharingLevels) {
      expect(coverage[`${object}:${level}`] ?? 0, `${object}:${level}`).toBeGreaterThan(0);
    }
  }
  for (const level of teamSharingLevels) {
    expect(coverage[`teams:${level}`] ?? 0, `teams:${level}`).toBeGreaterThan(0);
  }
  for (const role of ['admin', 'manager', 'rep', 'readonly']) {
    expect(coverage[`role:${role}`] ?? 0, `role:${role}`).toBeGreaterThan(0);
  }
}, 600_000);
