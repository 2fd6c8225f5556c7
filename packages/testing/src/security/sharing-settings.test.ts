import { isRapportError, type RapportStorage, repositoryKeys } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../../postgres/src/test-database.js';
import { rejection, securityFixtureOn } from './test-security-fixture.js';

/** SQLite always; Postgres (schemas `sharing_*`) when reachable. */
const postgres = createTestDatabase('sharing');
const storages: readonly { readonly name: string; readonly make: () => RapportStorage }[] = [
  { name: 'sqlite', make: () => sqliteStorage({ filename: ':memory:' }) },
  ...(postgresAvailable ? [{ name: 'postgres', make: () => postgres.storage() }] : []),
];
afterAll(() => postgres.cleanup());

type Fixture = Awaited<ReturnType<typeof securityFixtureOn<RapportStorage>>>;

/**
 * Every record of every object as the admin reads it (versions and timestamps included), and the
 * sharing settings: what "nothing was written" compares, on any storage.
 */
async function recordsDump(f: Fixture): Promise<string> {
  const parts: string[] = [JSON.stringify(await f.system.sharing.settings())];
  for (const key of Object.values(repositoryKeys)) {
    const repository: { list(query: object): Promise<{ items: unknown[] }> } = f.system[key];
    const page = await repository.list({ limit: 1000, orderBy: { field: 'id' } });
    parts.push(`${key}: ${JSON.stringify(page.items)}`);
  }
  return parts.join('\n');
}

async function codeOf(promise: Promise<unknown>) {
  const error = await rejection(promise);
  if (!isRapportError(error)) throw error;
  return error;
}

describe.each(storages)('sharing settings (issue 13) on $name', ({ make }) => {
  it('org-wide defaults: private hides, publicRead shows without write, publicReadWrite writes', async () => {
    const f = await securityFixtureOn(make);
    const rita = () => f.crm.tenant('acme').as({ id: f.users.rita.id, role: 'rep' });
    expect((await rita().accounts.list()).items.map((a) => a.id)).toEqual([f.rita.account.id]);
    expect(await rita().accounts.find(f.otto.account.id)).toBeUndefined();

    const admin = f.crm.tenant('acme').as({ id: f.users.admin.id, role: 'admin' });
    const settings = await admin.sharing.update({ defaults: { opportunity: 'publicRead' } });
    expect(settings.defaults.opportunity).toBe('publicRead');
    expect(settings.defaults.account).toBe('private');
    expect(settings.version).toBe(1);

    const scope = rita();
    // Reads of every kind see Otto's deal: get, list, filter, count, KPI and its breakdown.
    const ottoDeal = await scope.opportunities.get(f.otto.deal.id);
    expect(ottoDeal.amount).toBe(777_777_00);
    expect(await scope.opportunities.count({ ownerId: f.users.otto.id })).toBe(1);
    const kpi = await scope.kpis.evaluate(['pipeline.openValue'], { compare: false, by: 'owner' });
    expect(kpi['pipeline.openValue'].value).toBe(777_777_00 + 1_000_00);
    // Accounts stay private: the deal is readable, its account is not.
    expect(await scope.accounts.find(f.otto.account.id)).toBeUndefined();
    // ... but no write: FORBIDDEN (the record is readable, so no oracle), nothing changed.
    const before = await recordsDump(f);
    const refused = await codeOf(
      scope.opportunities.update(f.otto.deal.id, { version: ottoDeal.version, amount: 1 }),
    );
    expect(refused.code).toBe('FORBIDDEN');
    expect(
      (await codeOf(scope.opportunities.delete(f.otto.deal.id, { version: ottoDeal.version })))
        .code,
    ).toBe('FORBIDDEN');
    // Line items follow their opportunity: readable, not writable.
    expect(
      (
        await codeOf(
          scope.lineItems.create({
            opportunityId: f.otto.deal.id,
            productId: f.product.id,
            quantity: 1,
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect(await recordsDump(f)).toBe(before);

    await admin.sharing.update({ defaults: { opportunity: 'publicReadWrite' } });
    const writer = rita();
    const changed = await writer.opportunities.update(f.otto.deal.id, {
      version: ottoDeal.version,
      amount: 5_00,
    });
    expect(changed.amount).toBe(5_00);
    expect(changed.ownerId).toBe(f.users.otto.id);
    await f.crm.destroy();
  });

  it('leads, activities and contracts follow their own org-wide default', async () => {
    const f = await securityFixtureOn(make);
    const otto = f.users.otto.id;
    const records = {
      lead: await f.system.leads.create({ lastName: 'Lee', company: 'Lee Ltd', ownerId: otto }),
      activity: await f.system.activities.create({
        type: 'call',
        subject: 'Call',
        ownerId: otto,
        accountId: f.otto.account.id,
      }),
      contract: await f.system.contracts.create({
        accountId: f.otto.account.id,
        ownerId: otto,
        startDate: '2026-01-01',
        monthlyAmount: 10_00,
      }),
    };
    const rita = () => f.crm.tenant('acme').as({ id: f.users.rita.id, role: 'rep' });
    const repositories = (scope: ReturnType<typeof rita>) => ({
      lead: {
        find: (id: string) => scope.leads.find(id),
        count: () => scope.leads.count({ ownerId: otto }),
        change: (id: string, version: number) =>
          scope.leads.update(id, { version, company: 'Changed' }),
      },
      activity: {
        find: (id: string) => scope.activities.find(id),
        count: () => scope.activities.count({ ownerId: otto }),
        change: (id: string, version: number) =>
          scope.activities.update(id, { version, subject: 'Changed' }),
      },
      contract: {
        find: (id: string) => scope.contracts.find(id),
        count: () => scope.contracts.count({ ownerId: otto }),
        change: (id: string, version: number) =>
          scope.contracts.update(id, { version, monthlyAmount: 20_00 }),
      },
    });
    for (const object of ['lead', 'activity', 'contract'] as const) {
      const record = records[object];
      const hidden = repositories(rita())[object];
      expect(await hidden.find(record.id), object).toBeUndefined();
      expect(await hidden.count(), object).toBe(0);
      expect((await codeOf(hidden.change(record.id, record.version))).code, object).toBe(
        'NOT_FOUND',
      );
      await f.system.sharing.update({ defaults: { [object]: 'publicRead' } });
      const reader = repositories(rita())[object];
      expect((await reader.find(record.id))?.id, object).toBe(record.id);
      expect(await reader.count(), object).toBe(1);
      expect((await codeOf(reader.change(record.id, record.version))).code, object).toBe(
        'FORBIDDEN',
      );
      // The objects not yet opened stay private.
      for (const other of ['lead', 'activity', 'contract'] as const) {
        if (other === object) continue;
        const settings = await f.system.sharing.settings();
        if (settings.defaults[other] !== 'private') continue;
        expect(await repositories(rita())[other].find(records[other].id), other).toBeUndefined();
      }
      await f.system.sharing.update({ defaults: { [object]: 'publicReadWrite' } });
      const changed = (await repositories(rita())[object].change(record.id, record.version)) as {
        version: number;
      };
      expect(changed.version, object).toBe(record.version + 1);
    }
    await f.crm.destroy();
  });

  it('team sharing: members read (and with readWrite change) each other’s records; others do not', async () => {
    const f = await securityFixtureOn(make);
    const team = await f.system.teams.create({ name: 'Field' });
    for (const user of [f.users.rita, f.users.otto]) {
      const current = await f.system.users.get(user.id);
      await f.system.users.update(user.id, { version: current.version, teamId: team.id });
    }
    const outsider = await f.system.users.create({ name: 'Olga Outside', role: 'rep' });
    const rita = () => f.crm.tenant('acme').as({ id: f.users.rita.id, role: 'rep' });
    const olga = () => f.crm.tenant('acme').as({ id: outsider.id, role: 'rep' });
    const admin = f.crm.tenant('acme').as({ id: f.users.admin.id, role: 'admin' });
    expect(await rita().accounts.count()).toBe(1);

    // The owners a scope reads, as plugins ask for them: the same rule as the reads.
    expect(await rita().sharing.visibleOwners('account')).toEqual(new Set([f.users.rita.id]));
    const manager = f.crm.tenant('acme').as({ id: f.users.manager.id, role: 'manager' });
    expect(await manager.sharing.visibleOwners('opportunity')).toEqual(
      new Set([f.users.manager.id, f.users.rita.id]),
    );
    expect(await admin.sharing.visibleOwners('opportunity')).toBe('all');
    expect(await rita().sharing.visibleOwners('product')).toBe('all');
    expect((await codeOf(rita().sharing.visibleOwners('spaceship' as 'account'))).code).toBe(
      'VALIDATION',
    );

    await admin.sharing.update({ teams: 'read' });
    expect(await rita().sharing.visibleOwners('account')).toEqual(
      new Set([f.users.rita.id, f.users.otto.id]),
    );
    const reader = rita();
    expect(new Set((await reader.accounts.list()).items.map((a) => a.id))).toEqual(
      new Set([f.rita.account.id, f.otto.account.id]),
    );
    expect(await reader.contacts.count()).toBe(2);
    expect(await olga().accounts.count()).toBe(0);
    const account = await reader.accounts.get(f.otto.account.id);
    expect(
      (await codeOf(reader.accounts.update(account.id, { version: account.version, name: 'x' })))
        .code,
    ).toBe('FORBIDDEN');

    await admin.sharing.update({ teams: 'readWrite' });
    const updated = await rita().accounts.update(account.id, {
      version: account.version,
      name: 'Renamed by a teammate',
    });
    expect(updated.name).toBe('Renamed by a teammate');
    // A teammate may also give a record to a teammate, never to someone outside the team.
    expect(
      (
        await codeOf(
          rita().accounts.update(account.id, { version: updated.version, ownerId: outsider.id }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    await f.crm.destroy();
  });

  it('the readonly role reads as a manager does and writes nothing: FORBIDDEN before any write', async () => {
    const f = await securityFixtureOn(make);
    const assistant = await f.system.users.create({ name: 'Ali Assistant', role: 'readonly' });
    const rita = await f.system.users.get(f.users.rita.id);
    await f.system.users.update(rita.id, { version: rita.version, managerId: assistant.id });
    const scope = f.crm.tenant('acme').as({ id: assistant.id, role: 'readonly' });
    expect((await scope.accounts.list()).items.map((a) => a.id)).toEqual([f.rita.account.id]);
    const kpi = await scope.kpis.evaluate(['pipeline.openCount'], { compare: false });
    expect(kpi['pipeline.openCount'].value).toBe(1);

    const before = await recordsDump(f);
    const lead = await f.system.leads.create({
      lastName: 'Lee',
      company: 'Lee Ltd',
      ownerId: f.users.rita.id,
    });
    const withLead = await recordsDump(f);
    expect(withLead).not.toBe(before);
    const account = await scope.accounts.get(f.rita.account.id);
    const attempts: [string, () => Promise<unknown>][] = [
      ['create', () => scope.accounts.create({ name: 'Mine', ownerId: assistant.id })],
      ['createMany', () => scope.accounts.createMany([{ name: 'Mine', ownerId: assistant.id }])],
      ['upsert', () => scope.accounts.upsert({ externalId: 'x', name: 'Mine' })],
      ['upsertMany', () => scope.accounts.upsertMany([{ externalId: 'x', name: 'Mine' }])],
      ['update', () => scope.accounts.update(account.id, { version: account.version, name: 'x' })],
      ['delete', () => scope.accounts.delete(account.id)],
      ['convert', () => scope.leads.convert(lead.id)],
      [
        'closeLost',
        () => scope.opportunities.closeLost(f.rita.deal.id, { version: 1, lostReason: 'Price' }),
      ],
      ['closeWon', () => scope.opportunities.closeWon(f.rita.deal.id, { version: 1 })],
      ['sharing', () => scope.sharing.update({ teams: 'read' })],
      ['settings', () => scope.updateSettings({ name: 'x' })],
    ];
    for (const [what, attempt] of attempts) {
      expect((await codeOf(attempt())).code, what).toBe('FORBIDDEN');
    }
    expect(await recordsDump(f)).toBe(withLead);
    await f.crm.destroy();
  });

  it('only admins change the sharing settings, and bad values are VALIDATION with the field', async () => {
    const f = await securityFixtureOn(make);
    expect((await codeOf(f.managerScope.sharing.update({ teams: 'read' }))).code).toBe('FORBIDDEN');
    // The types refuse these too; JavaScript callers and HTTP bodies get VALIDATION.
    // @ts-expect-error: not a sharing level
    const bad = await codeOf(f.system.sharing.update({ defaults: { account: 'everyone' } }));
    expect(bad.code).toBe('VALIDATION');
    expect(bad.issues[0]?.path).toEqual(['defaults', 'account']);
    // Quotas are written by admins whatever the default says: read/write makes no sense.
    // @ts-expect-error: quotas are private or publicRead
    const quota = await codeOf(f.system.sharing.update({ defaults: { quota: 'publicReadWrite' } }));
    expect(quota.issues[0]?.path).toEqual(['defaults', 'quota']);
    // @ts-expect-error: products have no owner, so no org-wide default
    const unknown = await codeOf(f.system.sharing.update({ defaults: { product: 'private' } }));
    expect(unknown.code).toBe('VALIDATION');
    expect((await f.ritaScope.sharing.settings()).version).toBe(0);
    await f.crm.destroy();
  });
});

describe.each(storages)('quota visibility follows ownership (issue 12.10) on $name', ({ make }) => {
  it('a rep sees only their own quotas, a manager their reports’, an admin all; KPIs alike', async () => {
    const f = await securityFixtureOn(make);
    const quota = (ownerId: string, amount: number) =>
      f.system.quotas.create({
        ownerId,
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        amount,
      });
    const ritaQuota = await quota(f.users.rita.id, 10_000_00);
    const ottoQuota = await quota(f.users.otto.id, 99_000_00);
    const ids = async (scope: Fixture['ritaScope']) =>
      new Set((await scope.quotas.list()).items.map((q) => q.id));
    expect(await ids(f.ritaScope)).toEqual(new Set([ritaQuota.id]));
    expect(await f.ritaScope.quotas.find(ottoQuota.id)).toBeUndefined();
    expect(await f.ritaScope.quotas.count()).toBe(1);
    expect(await ids(f.managerScope)).toEqual(new Set([ritaQuota.id]));
    expect(await ids(f.system)).toEqual(new Set([ritaQuota.id, ottoQuota.id]));
    // A rep may not write quotas, not even their own.
    expect(
      (
        await codeOf(
          f.ritaScope.quotas.update(ritaQuota.id, { version: ritaQuota.version, amount: 1 }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    await f.system.opportunities.closeWon(f.rita.deal.id, {
      version: f.rita.deal.version,
      closeDate: '2026-06-30',
    });
    const attainment = await f.ritaScope.kpis.evaluate(['closing.quotaAttainment'], {
      period: '2026',
      compare: false,
    });
    // 1,000.00 won over her own 10,000.00 quota; Otto's quota is not in her denominator.
    expect(attainment['closing.quotaAttainment'].value).toBeCloseTo(0.1, 10);
    // The tenant may open quotas to everyone for reading.
    await f.system.sharing.update({ defaults: { quota: 'publicRead' } });
    const open = f.crm.tenant('acme').as({ id: f.users.rita.id, role: 'rep' });
    expect(await ids(open)).toEqual(new Set([ritaQuota.id, ottoQuota.id]));
    await f.crm.destroy();
  });
});
