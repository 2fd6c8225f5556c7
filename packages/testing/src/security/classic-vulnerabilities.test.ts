import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRecords } from '@rapport/cli';
import { isRapportError } from '@rapport/core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseDump, rejection, securityFixture } from './test-security-fixture.js';

/**
 * The classic CRM vulnerabilities (issue 12, proof b), each a named test that would fail if the
 * hole were there. Spreadsheet formula injection is in formula-injection.test.ts; relationship
 * writes to records the actor cannot see are in reference-visibility.test.ts (both wait on fixes
 * in other areas).
 */
type Fixture = Awaited<ReturnType<typeof securityFixture>>;
let fx: Fixture;
beforeEach(async () => {
  fx = await securityFixture();
});

/** Fails unless `error` is a RapportError with one of `codes`: never a raw database error. */
function expectCode(error: unknown, ...codes: string[]) {
  if (!isRapportError(error))
    throw new Error(`not a RapportError: ${String(error)}`, { cause: error });
  expect(codes).toContain(error.code);
}

describe('classic CRM vulnerabilities', () => {
  it('cross-tenant lookup by id: another tenant cannot read, count, change, delete or reference a record by its id', async () => {
    const { id } = fx.rita.account;
    const other = fx.other.scope;
    const before = databaseDump(fx.storage.database);
    expect(await other.accounts.find(id)).toBeUndefined();
    expectCode(await rejection(other.accounts.get(id)), 'NOT_FOUND');
    expect((await other.accounts.list({ where: { id } })).items).toEqual([]);
    expect(await other.accounts.count({ id })).toBe(0);
    expect(await other.accounts.findByExternalId(id)).toBeUndefined();
    expectCode(
      await rejection(other.accounts.update(id, { version: 1, name: 'Taken' })),
      'NOT_FOUND',
    );
    expectCode(await rejection(other.accounts.delete(id)), 'NOT_FOUND');
    expectCode(
      await rejection(
        other.opportunities.create({
          name: 'Planted',
          ownerId: fx.other.admin.id,
          accountId: id,
          closeDate: '2026-12-31',
        }),
      ),
      'VALIDATION',
      'NOT_FOUND',
    );
    expectCode(await rejection(other.opportunities.get(fx.rita.deal.id)), 'NOT_FOUND');
    // Nor does acme's admin see the other tenant's records.
    expect(await fx.system.accounts.find(fx.other.account.id)).toBeUndefined();
    expect(databaseDump(fx.storage.database)).toBe(before);
  });

  it('user values pasted into SQL: time zone, group-by, sort, period and custom field are checked or bound, never spliced', async () => {
    const before = databaseDump(fx.storage.database);
    const injection = "x'); drop table accounts; --";
    const attempts: [string, () => Promise<unknown>][] = [
      [
        'time zone',
        () =>
          fx.crm.createTenant({ id: 'evil', name: 'Evil', timeZone: `Europe/Berlin${injection}` }),
      ],
      [
        'group-by',
        () => fx.ritaScope.kpis.evaluate(['pipeline.openCount'], { by: injection as never }),
      ],
      ['sort', () => fx.ritaScope.accounts.list({ orderBy: { field: injection as never } })],
      [
        'period',
        () => fx.ritaScope.kpis.evaluate(['pipeline.openCount'], { period: injection as never }),
      ],
      [
        'custom field filter',
        () => fx.ritaScope.accounts.list({ where: { custom: { [injection]: 'a' } } as never }),
      ],
      [
        'filter operator',
        () => fx.ritaScope.accounts.list({ where: { name: { [injection]: 'a' } } as never }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const error = await rejection(attempt());
      expect(isRapportError(error), `${what}: ${String(error)}`).toBe(true);
      expect((error as { code: string }).code, what).toBe('VALIDATION');
    }
    // A custom field name in a KPI filter is not spliced either (the table is intact below); that
    // an unknown one is VALIDATION rather than an empty result is kpi-unknown-custom-field.test.ts.
    await fx.ritaScope.kpis
      .evaluate(['pipeline.openCount'], { filters: { [`custom.${injection}`]: 'a' } as never })
      .catch((error: unknown) => expectCode(error, 'VALIDATION'));
    // Values in filters are bound: a quote matches itself and nothing else.
    expect(await fx.ritaScope.accounts.count({ name: "x' or '1'='1" })).toBe(0);
    const quoted = await fx.ritaScope.accounts.create({
      name: "O'Brien'; --",
      ownerId: fx.users.rita.id,
    });
    expect((await fx.ritaScope.accounts.list({ where: { name: "O'Brien'; --" } })).items).toEqual([
      quoted,
    ]);
    await fx.ritaScope.accounts.delete(quoted.id);
    expect(databaseDump(fx.storage.database)).toBe(before);
  });

  it('read permission on output but not on filters, counts or KPIs: a rep cannot filter, count or sum what the rep cannot list', async () => {
    const rep = fx.ritaScope;
    const otto = fx.users.otto.id;
    // Filters on another owner's values find nothing, as a list would show nothing.
    expect(await rep.opportunities.count({ ownerId: otto })).toBe(0);
    expect(await rep.opportunities.count({ name: 'Otto deal' })).toBe(0);
    expect(await rep.opportunities.count({ amount: { gte: 777_777_00 } })).toBe(0);
    expect(await rep.contacts.count({ email: 'otto@example.com' })).toBe(0);
    expect(await rep.accounts.count({ industry: 'Otto industry' })).toBe(0);
    expect(
      (await rep.opportunities.list({ where: { amount: { gte: 500_000_00 } } })).items,
    ).toEqual([]);
    // Counts and sums equal what the list shows.
    const listed = await rep.opportunities.list({ limit: 1000 });
    expect(await rep.opportunities.count()).toBe(listed.items.length);
    const results = await rep.kpis.evaluate(['pipeline.openCount', 'pipeline.openValue'], {
      by: 'owner',
      compare: false,
    });
    expect(results['pipeline.openCount'].value).toBe(listed.items.length);
    expect(results['pipeline.openValue'].value).toBe(
      listed.items.reduce((sum, deal) => sum + (deal.amount ?? 0), 0),
    );
    expect(
      results['pipeline.openCount'].breakdown
        ?.filter((group) => (group.value ?? 0) > 0)
        .map((g) => g.key),
    ).toEqual([fx.users.rita.id]);
    const filtered = await rep.kpis.evaluate(['pipeline.openValue'], {
      filters: { owner: otto },
      compare: false,
    });
    expect(filtered['pipeline.openValue'].value ?? 0).toBe(0);
    // A manager counts their team, not the rep outside it.
    expect(await fx.managerScope.opportunities.count({ ownerId: otto })).toBe(0);
  });

  it("import error files leaking other users' rows: a rejected row is written back as it was read, with nothing from the database", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-import-leak-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    await fx.system.accounts.update(fx.otto.account.id, {
      version: fx.otto.account.version,
      externalId: 'ext-otto',
    });
    const otto = await fx.system.accounts.get(fx.otto.account.id);
    const file = join(dir, 'accounts.csv');
    writeFileSync(
      file,
      [
        'Name,Id,Owner',
        `Rita new,ext-rita,${fx.users.rita.id}`,
        // Otto's external id: an upsert would change Otto's account, which Rita cannot see.
        `Take over,ext-otto,${fx.users.rita.id}`,
        // Otto as the owner: Rita may not write records Otto owns.
        `Gift,ext-gift,${fx.users.otto.id}`,
      ].join('\n'),
    );
    const errorsFile = join(dir, 'errors.csv');
    const summary = await importRecords(fx.ritaScope, {
      object: 'account',
      file,
      map: ['Name=name', 'Id=externalId', 'Owner=ownerId'],
      skipInvalid: true,
      errorsFile,
    });
    // (That every row is accounted for is import-row-accounting.test.ts.)
    expect(summary.errors).toContainEqual(expect.objectContaining({ line: 4, code: 'FORBIDDEN' }));
    const written = readFileSync(errorsFile, 'utf8');
    expect(written).toContain(`Gift,ext-gift,${fx.users.otto.id},4,`);
    // Nothing of Otto's record: not its id, name, industry or version.
    for (const secret of [
      otto.id,
      otto.name,
      otto.industry ?? '',
      'Otto contact',
      'otto@example.com',
    ]) {
      expect(written).not.toContain(secret);
    }
    expect(await fx.system.accounts.get(otto.id)).toEqual(otto);
  });

  it('write first and authorize later: a refused write (403 or 404) changes nothing, not even history or versions', async () => {
    const rep = fx.ritaScope;
    const before = databaseDump(fx.storage.database);
    const attempts: [string, () => Promise<unknown>, string][] = [
      [
        'update an invisible deal',
        () => rep.opportunities.update(fx.otto.deal.id, { version: 1, amount: 1 }),
        'NOT_FOUND',
      ],
      [
        'stage move of an invisible deal',
        () =>
          rep.opportunities.changeStage(fx.otto.deal.id, { version: 1, stage: 'Qualification' }),
        'NOT_FOUND',
      ],
      [
        'close an invisible deal won',
        () => rep.opportunities.closeWon(fx.otto.deal.id, { version: 1 }),
        'NOT_FOUND',
      ],
      [
        'give a deal away',
        () =>
          rep.opportunities.update(fx.rita.deal.id, {
            version: 1,
            ownerId: fx.users.otto.id,
            amount: 5,
          }),
        'FORBIDDEN',
      ],
      [
        'create for another owner',
        () => rep.accounts.create({ name: 'Planted', ownerId: fx.users.otto.id }),
        'FORBIDDEN',
      ],
      ['create a user', () => rep.users.create({ name: 'Mallory', role: 'admin' }), 'FORBIDDEN'],
      [
        'promote oneself',
        () => rep.users.update(fx.users.rita.id, { version: 1, role: 'admin' }),
        'FORBIDDEN',
      ],
      [
        'change a product price',
        () => rep.products.update(fx.product.id, { version: 1, listPrice: 1 }),
        'FORBIDDEN',
      ],
      ['delete an invisible contact', () => rep.contacts.delete(fx.otto.contact.id), 'NOT_FOUND'],
      [
        'bulk create with one forbidden row',
        () =>
          rep.accounts.createMany([
            { name: 'Fine', ownerId: fx.users.rita.id },
            { name: 'Not fine', ownerId: fx.users.otto.id },
          ]),
        'FORBIDDEN',
      ],
      ['tenant settings', () => rep.updateSettings({ name: 'Rita Inc' }), 'FORBIDDEN'],
    ];
    for (const [what, attempt, code] of attempts) {
      const error = await rejection(attempt());
      expect(isRapportError(error) && error.code, `${what}: ${String(error)}`).toBe(code);
    }
    expect(databaseDump(fx.storage.database)).toBe(before);
  });

  it('attach/detach skipping the scope: line items and history of a deal the actor cannot see cannot be added, read or removed', async () => {
    const rep = fx.ritaScope;
    const item = await fx.system.lineItems.create({
      opportunityId: fx.otto.deal.id,
      productId: fx.product.id,
      quantity: 2,
    });
    const before = databaseDump(fx.storage.database);
    // Attach to an invisible deal: refused like a missing deal.
    const attach = await rejection(
      rep.lineItems.create({
        opportunityId: fx.otto.deal.id,
        productId: fx.product.id,
        quantity: 1,
      }),
    );
    const missing = await rejection(
      rep.lineItems.create({
        opportunityId: 'no-such-deal',
        productId: fx.product.id,
        quantity: 1,
      }),
    );
    expectCode(attach, 'VALIDATION', 'NOT_FOUND');
    expect((attach as { code: string }).code).toBe((missing as { code: string }).code);
    // Move an own line item... there is none: move the invisible one to an own deal.
    expectCode(
      await rejection(
        rep.lineItems.update(item.id, { version: 1, opportunityId: fx.rita.deal.id }),
      ),
      'NOT_FOUND',
    );
    // Detach (delete) the invisible deal's line item, or read it.
    expectCode(await rejection(rep.lineItems.delete(item.id)), 'NOT_FOUND');
    expect(await rep.lineItems.find(item.id)).toBeUndefined();
    expect(await rep.lineItems.count({ opportunityId: fx.otto.deal.id })).toBe(0);
    expect(await rep.stageHistory.count({ opportunityId: fx.otto.deal.id })).toBe(0);
    // Detach Otto's contact from Otto's account by editing it: invisible, so NOT_FOUND.
    expectCode(
      await rejection(rep.contacts.update(fx.otto.contact.id, { version: 1, accountId: null })),
      'NOT_FOUND',
    );
    expect(databaseDump(fx.storage.database)).toBe(before);
  });
});
