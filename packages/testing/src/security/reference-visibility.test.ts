import { isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { databaseDump, rejection, securityFixture } from './test-security-fixture.js';
import { runSecurityModel } from './test-security-model.js';

/**
 * Issue 12.1 (waits on core's fix): the same model as security-model.test.ts, with references
 * chosen among all accounts of every tenant, and the rule that writing or relinking a reference
 * needs read access to the referenced record, refused exactly like a missing one.
 */
const operations = Number(process.env.RAPPORT_MODEL_OPS ?? 600);
const commands = 100;

it(`a reference to a record the actor cannot see is refused like a missing one, on create and relink (${operations} ops)`, async () => {
  const { stats } = await runSecurityModel({
    operations,
    commands,
    checks: { references: true },
  });
  expect(stats.create ?? 0).toBeGreaterThan(0);
  expect(stats['create refused'] ?? 0).toBeGreaterThan(0);
}, 600_000);

describe('relationship writes checked only for view (classic vulnerability 7)', () => {
  it("a rep cannot hang a contract, activity, contact or deal on another rep's records, and the refusal is the one for a missing id", async () => {
    const fx = await securityFixture();
    const rep = fx.ritaScope;
    const rita = fx.users.rita.id;
    const writes: [string, (target: { account: string; deal: string }) => Promise<unknown>][] = [
      [
        'contract on an account',
        (t) =>
          rep.contracts.create({
            accountId: t.account,
            ownerId: rita,
            startDate: '2026-01-01',
            monthlyAmount: 100_00,
          }),
      ],
      [
        'activity on a deal',
        (t) =>
          rep.activities.create({
            type: 'call',
            subject: 'Hi',
            ownerId: rita,
            opportunityId: t.deal,
          }),
      ],
      [
        'activity on an account',
        (t) =>
          rep.activities.create({
            type: 'call',
            subject: 'Hi',
            ownerId: rita,
            accountId: t.account,
          }),
      ],
      [
        'contact under an account',
        (t) => rep.contacts.create({ lastName: 'Planted', ownerId: rita, accountId: t.account }),
      ],
      [
        'deal on an account',
        (t) =>
          rep.opportunities.create({
            name: 'Planted',
            ownerId: rita,
            accountId: t.account,
            closeDate: '2026-12-31',
            amount: 1,
          }),
      ],
    ];
    const before = databaseDump(fx.storage.database);
    for (const [what, write] of writes) {
      const invisible = await rejection(
        write({ account: fx.otto.account.id, deal: fx.otto.deal.id }),
      );
      const missing = await rejection(write({ account: 'no-such-account', deal: 'no-such-deal' }));
      expect(isRapportError(invisible), `${what}: ${String(invisible)}`).toBe(true);
      expect(summary(invisible), what).toEqual(summary(missing));
    }
    expect(databaseDump(fx.storage.database)).toBe(before);
  });

  it("attach/detach skipping the scope: relinking an own record to another rep's account is refused like a missing one", async () => {
    const fx = await securityFixture();
    const rep = fx.ritaScope;
    const before = databaseDump(fx.storage.database);
    const relinks: [string, (accountId: string) => Promise<unknown>][] = [
      [
        'contact',
        (accountId) => rep.contacts.update(fx.rita.contact.id, { version: 1, accountId }),
      ],
      ['deal', (accountId) => rep.opportunities.update(fx.rita.deal.id, { version: 1, accountId })],
      [
        'account parent',
        (parentId) => rep.accounts.update(fx.rita.account.id, { version: 1, parentId }),
      ],
    ];
    for (const [what, relink] of relinks) {
      const invisible = await rejection(relink(fx.otto.account.id));
      const missing = await rejection(relink('no-such-account'));
      expect(summary(invisible), what).toEqual(summary(missing));
    }
    expect(databaseDump(fx.storage.database)).toBe(before);
  });
});

/** What a caller learns from an error: its code and issue codes, not the id in the message. */
function summary(error: unknown) {
  return isRapportError(error)
    ? { code: error.code, issues: error.issues.map((issue) => [issue.path.join('.'), issue.code]) }
    : { raw: String(error) };
}
