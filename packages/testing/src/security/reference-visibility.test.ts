import { expect, it } from 'vitest';
import { runSecurityModel } from './test-security-model.js';

/**
 * Issue 12.1 (waits on core's fix): the same model as security-model.test.ts, with references
 * chosen among all accounts of every tenant, and the rule that writing or relinking a reference
 * needs read access to the referenced record, refused exactly like a missing one.
 */
const operations = Number(process.env.RAPPORT_MODEL_OPS ?? 600);
const commands = 100;

it(`a reference to a record the actor cannot see is refused like a missing one, on create and relink (${operations} ops)`, async () => {
  const stats = await runSecurityModel({
    runs: Math.max(1, Math.ceil((2 * operations) / commands)),
    commands,
    checks: { references: true },
  });
  expect(stats.create ?? 0).toBeGreaterThan(0);
  expect(stats['create refused'] ?? 0).toBeGreaterThan(0);
}, 600_000);
