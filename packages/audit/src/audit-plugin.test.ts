import { isRapportError } from '@rapport/core';
import { afterAll, describe, expect, test } from 'vitest';
import { auditEngine, storages } from './test-engines.js';

afterAll(async () => {
  for (const storage of storages) await storage.cleanup();
});

describe.each(storages)('audit trail on $name', ({ make }) => {
  async function setup() {
    const engine = await auditEngine(make());
    const audit = engine.crm.plugin('audit');
    const entries = async (object: string, recordId: string) =>
      (
        await audit.list(engine.admin, {
          object: object as 'lead',
          recordId,
          limit: 1000,
        })
      ).items.reverse();
    return { ...engine, audit, entries };
  }

  test('create, update (only changed fields, custom included) and delete name actor, fields, old and new', async () => {
    const { crm, rita, admin, entries } = await setup();
    const account = await rita.accounts.create({ name: 'Initech', industry: 'Retail' });
    const updated = await rita.accounts.update(account.id, {
      version: account.version,
      industry: 'Banking',
      custom: { tier: 'gold' },
    });
    await admin.accounts.delete(account.id, { version: updated.version });
    const [created, changed, deleted, ...rest] = await entries('account', account.id);
    expect(rest).toEqual([]);
    expect(created).toMatchObject({ action: 'create', actorId: rita.actor.id, actorRole: 'rep' });
    expect(created?.changes).toContainEqual({ field: 'name', old: null, new: 'Initech' });
    expect(created?.changes).toContainEqual({ field: 'industry', old: null, new: 'Retail' });
    expect(changed?.action).toBe('update');
    expect(changed?.changes).toEqual([
      { field: 'industry', old: 'Retail', new: 'Banking' },
      { field: 'custom.tier', old: null, new: 'gold' },
    ]);
    expect(deleted).toMatchObject({
      action: 'delete',
      actorId: admin.actor.id,
      actorRole: 'admin',
    });
    expect(deleted?.changes).toContainEqual({ field: 'industry', old: 'Banking', new: null });
    expect(deleted?.changes).toContainEqual({ field: 'custom.tier', old: 'gold', new: null });
    expect(created?.source).toBe('api');
    expect(Object.keys(crm.plugin('audit')).sort()).toEqual([
      'list',
      'privacy',
      'purge',
      'retentionDays',
    ]);
  });

  test('every object: each create writes an entry of that object', async () => {
    const { admin, entries } = await setup();
    const team = await admin.teams.create({ name: 'North' });
    const campaign = await admin.campaigns.create({ name: 'Spring' });
    const product = await admin.products.create({ name: 'Seat', listPrice: 100_00 });
    const account = await admin.accounts.create({ name: 'Globex' });
    const contact = await admin.contacts.create({ lastName: 'Doe', accountId: account.id });
    const lead = await admin.leads.create({ lastName: 'Roe', company: 'Hooli' });
    const deal = await admin.opportunities.create({
      name: 'Globex seats',
      accountId: account.id,
      closeDate: '2026-12-31',
    });
    const item = await admin.lineItems.create({
      opportunityId: deal.id,
      productId: product.id,
      quantity: 2,
    });
    const activity = await admin.activities.create({
      type: 'call',
      subject: 'Intro',
      leadId: lead.id,
    });
    const quota = await admin.quotas.create({
      ownerId: admin.actor.id,
      periodStart: '2026-01-01',
      periodEnd: '2026-03-31',
      amount: 1_000_00,
    });
    const contract = await admin.contracts.create({
      accountId: account.id,
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      monthlyAmount: 50_00,
    });
    const pipeline = (await admin.pipelines.list()).items[0];
    const history = (await admin.stageHistory.list({ where: { opportunityId: deal.id } })).items[0];
    const users = (await admin.users.list()).items[0];
    const created = {
      team,
      campaign,
      product,
      account,
      contact,
      lead,
      opportunity: deal,
      lineItem: item,
      activity,
      quota,
      contract,
      stageHistory: history,
      user: users,
    };
    for (const [object, record] of Object.entries(created)) {
      expect(record, object).toBeDefined();
      const found = await entries(object, String(record?.id));
      expect(found[0], object).toMatchObject({ action: 'create', object });
    }
    expect(pipeline).toBeDefined();
  });

  test('bulk createMany and upsertMany write one entry per record, unchanged upserts none', async () => {
    const { rita, audit } = await setup();
    const leads = await rita.leads.createMany([
      { lastName: 'A', company: 'X', externalId: 'a' },
      { lastName: 'B', company: 'Y', externalId: 'b' },
    ]);
    await rita.leads.upsertMany([
      { lastName: 'A', company: 'X', externalId: 'a' },
      { lastName: 'B', company: 'Z', externalId: 'b' },
      { lastName: 'C', company: 'W', externalId: 'c' },
    ]);
    const { items } = await audit.list(rita, { object: 'lead', limit: 100 });
    expect(items.filter((e) => e.action === 'create')).toHaveLength(3);
    const updates = items.filter((e) => e.action === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ recordId: leads[1]?.id, actorId: rita.actor.id });
    expect(updates[0]?.changes).toEqual([{ field: 'company', old: 'Y', new: 'Z' }]);
  });

  test('lead conversion, stage change, closeWon and closeLost are audited with old and new values', async () => {
    const { rita, entries } = await setup();
    const lead = await rita.leads.create({
      lastName: 'Poe',
      company: 'Umbrella',
      email: 'p@u.test',
    });
    const converted = await rita.leads.convert(lead.id);
    const leadEntries = await entries('lead', lead.id);
    expect(leadEntries.at(-1)?.changes).toContainEqual({
      field: 'status',
      old: 'Open - Not Contacted',
      new: 'Closed - Converted',
    });
    expect(leadEntries.at(-1)?.changes).toContainEqual({
      field: 'convertedContactId',
      old: null,
      new: converted.contact.id,
    });
    const contactEntries = await entries('contact', converted.contact.id);
    expect(contactEntries[0]?.changes).toContainEqual({
      field: 'email',
      old: null,
      new: 'p@u.test',
    });
    const deal = converted.opportunity;
    expect(deal).not.toBeNull();
    if (!deal) return;
    expect((await entries('account', converted.account.id))[0]?.action).toBe('create');
    const moved = await rita.opportunities.changeStage(deal.id, {
      version: deal.version,
      stage: 'Qualification',
    });
    const won = await rita.opportunities.closeWon(deal.id, { version: moved.version });
    const dealEntries = await entries('opportunity', deal.id);
    expect(dealEntries[1]?.changes).toContainEqual({
      field: 'stage',
      old: deal.stage,
      new: 'Qualification',
    });
    expect(dealEntries[2]?.changes).toContainEqual({ field: 'status', old: 'open', new: 'won' });
    expect(dealEntries[2]?.actorId).toBe(rita.actor.id);
    const second = await rita.opportunities.create({ name: 'Other', closeDate: '2026-12-31' });
    await rita.opportunities.closeLost(second.id, { version: second.version, lostReason: 'Price' });
    const lost = (await entries('opportunity', second.id)).at(-1);
    expect(lost?.changes).toContainEqual({ field: 'lostReason', old: null, new: 'Price' });
    expect(lost?.changes).toContainEqual({ field: 'status', old: 'open', new: 'lost' });
    const history = await rita.stageHistory.list({ where: { opportunityId: deal.id } });
    for (const row of history.items) {
      expect((await entries('stageHistory', row.id))[0]?.action).toBe('create');
    }
    expect(won.status).toBe('won');
    // What the lead keeps of its deal is hidden: the trail, which whoever reads the lead reads,
    // holds none of it (the conversion entry had the deal's status and amount before).
    const hiddenFields = [
      'convertedOpportunityStatus',
      'convertedOpportunityAmount',
      'convertedOpportunityCurrency',
    ];
    const leadFields = (await entries('lead', lead.id)).flatMap((entry) =>
      entry.changes.map((change) => change.field),
    );
    expect(leadFields).toContain('convertedOpportunityId');
    for (const field of hiddenFields) expect(leadFields).not.toContain(field);
  });

  test('a rolled-back write leaves no entry', async () => {
    const { rita, audit } = await setup();
    await expect(
      rita.transaction(async (tx) => {
        await tx.accounts.create({ name: 'Ghost' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const error = await rita.opportunities
      .create({ name: 'Bad', closeDate: '2026-12-31', amount: -1 })
      .catch((e: unknown) => e);
    expect(isRapportError(error)).toBe(true);
    const written = (await audit.list(rita, { limit: 1000 })).items;
    expect(written.filter((e) => e.object === 'account' || e.object === 'opportunity')).toEqual([]);
  });

  test('reads follow visibility: own records for reps, all for admins, deleted records for admins only', async () => {
    const { rita, sam, admin, audit } = await setup();
    const ritas = await rita.accounts.create({ name: 'Ritas' });
    const sams = await sam.accounts.create({ name: 'Sams' });
    const ids = async (scope: typeof rita) =>
      (await audit.list(scope, { object: 'account' })).items.map((e) => e.recordId);
    expect(await ids(rita)).toEqual([ritas.id]);
    expect(await ids(sam)).toEqual([sams.id]);
    expect((await ids(admin)).sort()).toEqual([ritas.id, sams.id].sort());
    await rita.accounts.delete(ritas.id);
    expect(await ids(rita)).toEqual([]);
    expect(await ids(admin)).toContain(ritas.id);
    const byTenantAndActor = await audit.list(
      { tenantId: 'acme', actor: sam.actor },
      { actorId: rita.actor.id },
    );
    expect(byTenantAndActor.items).toEqual([]);
  });

  test('pagination, filters and bad queries', async () => {
    const { rita, audit } = await setup();
    for (let index = 0; index < 5; index++) await rita.accounts.create({ name: `A${index}` });
    const first = await audit.list(rita, { object: 'account', limit: 2 });
    const second = await audit.list(rita, {
      object: 'account',
      limit: 2,
      cursor: first.nextCursor ?? '',
    });
    const third = await audit.list(rita, {
      object: 'account',
      limit: 2,
      cursor: second.nextCursor ?? '',
    });
    const names = [...first.items, ...second.items, ...third.items].map(
      (e) => e.changes.find((c) => c.field === 'name')?.new,
    );
    expect(names).toEqual(['A4', 'A3', 'A2', 'A1', 'A0']);
    expect(third.nextCursor).toBeNull();
    const error = await audit.list(rita, { limit: 0 }).catch((e: unknown) => e);
    expect(isRapportError(error) && error.code).toBe('VALIDATION');
    expect(isRapportError(error) && error.issues[0]?.path).toEqual(['limit']);
    const cursorError = await audit.list(rita, { cursor: 'nonsense' }).catch((e: unknown) => e);
    expect(isRapportError(cursorError) && cursorError.issues[0]?.path).toEqual(['cursor']);
  });
});

describe('retention', () => {
  test('purge deletes entries older than retentionDays and keeps newer ones', async () => {
    let clock = new Date('2026-01-01T00:00:00Z');
    const { crm, rita } = await auditEngine(
      storages[0]?.make() ?? (undefined as never),
      () => clock,
    );
    await rita.accounts.create({ name: 'Old' });
    clock = new Date('2026-02-15T00:00:00Z');
    await rita.accounts.create({ name: 'New' });
    const before = (await crm.plugin('audit').list(rita, { limit: 1000 })).items;
    const old = before.filter((e) => e.at < '2026-01-16T00:00:00.000Z');
    expect(old.length).toBeGreaterThan(1);
    expect(await crm.plugin('audit').purge()).toBe(old.length);
    expect((await crm.plugin('audit').list(rita, { limit: 1000 })).items).toHaveLength(
      before.length - old.length,
    );
    const left = (await crm.plugin('audit').list(rita, { object: 'account' })).items;
    expect(left.map((e) => e.changes.find((c) => c.field === 'name')?.new)).toEqual(['New']);
    expect(left[0]?.at).toBe('2026-02-15T00:00:00.000Z');
  });
});
