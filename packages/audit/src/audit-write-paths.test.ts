import { defaultPipelineStages, isRapportError, type RapportStorage } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, describe, expect, test } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../postgres/src/test-database.js';
import type { AuditEntry } from './audit-entry.js';
import { auditEngine } from './test-engines.js';

/**
 * Issue 13's audit proof: for every object and every write path (create, update, delete, bulk
 * import, lead conversion with its activities, close, stage change, the children deleted with a
 * deal) the entries name the actor, the fields, old and new values, and a rolled-back write of
 * each path leaves none. SQLite always, Postgres (schemas `sharing_audit_*`) when reachable.
 */
const postgres = createTestDatabase('sharing_audit');
const storages: readonly { readonly name: string; readonly make: () => RapportStorage }[] = [
  { name: 'sqlite', make: () => sqliteStorage() },
  ...(postgresAvailable ? [{ name: 'postgres', make: () => postgres.storage() }] : []),
];

afterAll(() => postgres.cleanup());

describe.each(storages)('audit of every write path on $name', ({ make }) => {
  async function setup() {
    const engine = await auditEngine(make());
    const audit = engine.crm.plugin('audit');
    const all = async () => (await audit.list(engine.admin, { limit: 1000 })).items;
    const entries = async (object: string, recordId: string) =>
      (
        await audit.list(engine.admin, { object: object as 'lead', recordId, limit: 1000 })
      ).items.reverse();
    /** Runs a write that must fail, and checks it left no entry and no row behind. */
    const leavesNothing = async (
      what: string,
      write: () => Promise<unknown>,
      thrown: (error: unknown) => boolean = isRapportError,
    ) => {
      const before = (await all()).length;
      const error = await write().then(
        () => {
          throw new Error(`${what}: the write succeeded`);
        },
        (e: unknown) => e,
      );
      if (!thrown(error)) throw error;
      expect((await all()).length, what).toBe(before);
    };
    return { ...engine, audit, all, entries, leavesNothing };
  }

  const change = (entry: AuditEntry | undefined, field: string) =>
    entry?.changes.find((c) => c.field === field);

  test('every object: create, update and delete each name the actor, the fields, old and new values', async () => {
    const { admin, entries } = await setup();
    const actor = admin.actor.id;
    const account = await admin.accounts.create({ name: 'Globex' });
    const product = await admin.products.create({ name: 'Seat', listPrice: 100_00 });
    const lead = await admin.leads.create({ lastName: 'Roe', company: 'Hooli' });
    const deal = await admin.opportunities.create({
      name: 'Globex seats',
      accountId: account.id,
      closeDate: '2026-12-31',
    });
    // Each object: what to create, one field to change (old -> new), in delete order.
    const cases: {
      object: string;
      create: () => Promise<{ id: string; version: number } & Record<string, unknown>>;
      field: string;
      value: unknown;
      update: (id: string, version: number) => Promise<unknown>;
      remove: (id: string) => Promise<unknown>;
    }[] = [
      {
        object: 'lineItem',
        create: () =>
          admin.lineItems.create({ opportunityId: deal.id, productId: product.id, quantity: 2 }),
        field: 'quantity',
        value: 3,
        update: (id, version) => admin.lineItems.update(id, { version, quantity: 3 }),
        remove: (id) => admin.lineItems.delete(id),
      },
      {
        object: 'activity',
        create: () => admin.activities.create({ type: 'call', subject: 'Intro', leadId: lead.id }),
        field: 'subject',
        value: 'Second call',
        update: (id, version) => admin.activities.update(id, { version, subject: 'Second call' }),
        remove: (id) => admin.activities.delete(id),
      },
      {
        object: 'contract',
        create: () =>
          admin.contracts.create({
            accountId: account.id,
            startDate: '2026-01-01',
            monthlyAmount: 50_00,
          }),
        field: 'monthlyAmount',
        value: 70_00,
        update: (id, version) => admin.contracts.update(id, { version, monthlyAmount: 70_00 }),
        remove: (id) => admin.contracts.delete(id),
      },
      {
        object: 'quota',
        create: () =>
          admin.quotas.create({
            ownerId: actor,
            periodStart: '2026-01-01',
            periodEnd: '2026-03-31',
            amount: 1_000_00,
          }),
        field: 'amount',
        value: 2_000_00,
        update: (id, version) => admin.quotas.update(id, { version, amount: 2_000_00 }),
        remove: (id) => admin.quotas.delete(id),
      },
      {
        object: 'contact',
        create: () => admin.contacts.create({ lastName: 'Doe', accountId: account.id }),
        field: 'title',
        value: 'CFO',
        update: (id, version) => admin.contacts.update(id, { version, title: 'CFO' }),
        remove: (id) => admin.contacts.delete(id),
      },
      {
        object: 'opportunity',
        create: () => admin.opportunities.create({ name: 'Spare', closeDate: '2026-12-31' }),
        field: 'name',
        value: 'Spare, renamed',
        update: (id, version) =>
          admin.opportunities.update(id, { version, name: 'Spare, renamed' }),
        remove: (id) => admin.opportunities.delete(id),
      },
      {
        object: 'lead',
        create: () => admin.leads.create({ lastName: 'Poe', company: 'Umbrella' }),
        field: 'company',
        value: 'Umbrella Corp',
        update: (id, version) => admin.leads.update(id, { version, company: 'Umbrella Corp' }),
        remove: (id) => admin.leads.delete(id),
      },
      {
        object: 'account',
        create: () => admin.accounts.create({ name: 'Initech' }),
        field: 'industry',
        value: 'Banking',
        update: (id, version) => admin.accounts.update(id, { version, industry: 'Banking' }),
        remove: (id) => admin.accounts.delete(id),
      },
      {
        object: 'campaign',
        create: () => admin.campaigns.create({ name: 'Spring' }),
        field: 'name',
        value: 'Summer',
        update: (id, version) => admin.campaigns.update(id, { version, name: 'Summer' }),
        remove: (id) => admin.campaigns.delete(id),
      },
      {
        object: 'product',
        create: () => admin.products.create({ name: 'Licence', listPrice: 10_00 }),
        field: 'listPrice',
        value: 12_00,
        update: (id, version) => admin.products.update(id, { version, listPrice: 12_00 }),
        remove: (id) => admin.products.delete(id),
      },
      {
        object: 'team',
        create: () => admin.teams.create({ name: 'North' }),
        field: 'region',
        value: 'EMEA',
        update: (id, version) => admin.teams.update(id, { version, region: 'EMEA' }),
        remove: (id) => admin.teams.delete(id),
      },
      {
        object: 'user',
        create: () => admin.users.create({ name: 'Temp', role: 'rep' }),
        field: 'region',
        value: 'APAC',
        update: (id, version) => admin.users.update(id, { version, region: 'APAC' }),
        remove: (id) => admin.users.delete(id),
      },
      {
        object: 'pipeline',
        create: () =>
          admin.pipelines.create({ name: 'Renewals', stages: [...defaultPipelineStages] }),
        field: 'name',
        value: 'Renewals 2026',
        update: (id, version) => admin.pipelines.update(id, { version, name: 'Renewals 2026' }),
        remove: (id) => admin.pipelines.delete(id),
      },
    ];
    for (const item of cases) {
      const record = await item.create();
      const old = record[item.field] ?? null;
      await item.update(record.id, record.version);
      await item.remove(record.id);
      const [created, updated, deleted, ...rest] = await entries(item.object, record.id);
      expect(rest, item.object).toEqual([]);
      for (const [entry, action] of [
        [created, 'create'],
        [updated, 'update'],
        [deleted, 'delete'],
      ] as const) {
        expect(entry, `${item.object} ${action}`).toMatchObject({
          action,
          object: item.object,
          actorId: actor,
          actorRole: 'admin',
        });
      }
      // A create lists the fields it set; a field left empty is no change.
      expect(change(created, item.field), item.object).toEqual(
        old === null ? undefined : { field: item.field, old: null, new: old },
      );
      expect(change(updated, item.field), item.object).toEqual({
        field: item.field,
        old,
        new: item.value,
      });
      expect(change(deleted, item.field), item.object).toEqual({
        field: item.field,
        old: item.value,
        new: null,
      });
    }
  });

  test('stage history: written by the engine with each stage change, deleted with its deal, both audited', async () => {
    const { rita, entries } = await setup();
    const deal = await rita.opportunities.create({ name: 'Deal', closeDate: '2026-12-31' });
    const moved = await rita.opportunities.changeStage(deal.id, {
      version: deal.version,
      stage: 'Qualification',
    });
    const history = (await rita.stageHistory.list({ where: { opportunityId: deal.id } })).items;
    expect(history).toHaveLength(2);
    const line = await rita.lineItems
      .list({ where: { opportunityId: deal.id } })
      .then((page) => page.items);
    expect(line).toEqual([]);
    await rita.opportunities.delete(deal.id, { version: moved.version });
    for (const row of history) {
      const [created, deleted] = await entries('stageHistory', row.id);
      expect(created).toMatchObject({ action: 'create', actorId: rita.actor.id });
      expect(deleted).toMatchObject({ action: 'delete', actorId: rita.actor.id });
      expect(change(deleted, 'stage')).toEqual({ field: 'stage', old: row.stage, new: null });
    }
  });

  test('a stage history import: each imported entry has a create entry naming the importing admin and its stage', async () => {
    const { admin, entries, leavesNothing } = await setup();
    const deal = await admin.opportunities.create({ name: 'Imported', closeDate: '2026-12-31' });
    await admin.opportunities.importStageHistory([
      { opportunityId: deal.id, stage: 'Prospecting', changedAt: '2026-01-05T09:00:00.000Z' },
      { opportunityId: deal.id, stage: 'Qualification', changedAt: '2026-02-05T09:00:00.000Z' },
    ]);
    const history = (await admin.stageHistory.list({ where: { opportunityId: deal.id } })).items;
    const imported = history.filter((row) => row.stage === 'Qualification');
    expect(imported).toHaveLength(1);
    for (const row of imported) {
      const [created] = await entries('stageHistory', row.id);
      expect(created).toMatchObject({ action: 'create', actorId: admin.actor.id });
      expect(change(created, 'stage')).toEqual({ field: 'stage', old: null, new: 'Qualification' });
    }
    // A refused import (a stage the pipeline does not have) leaves no entry.
    await leavesNothing('stage history import', () =>
      admin.opportunities.importStageHistory([
        { opportunityId: deal.id, stage: 'No such stage', changedAt: '2026-03-05T09:00:00.000Z' },
      ]),
    );
  });

  test('deleting a deal deletes its line items through the hooks: each has a delete entry with its values', async () => {
    const { admin, entries } = await setup();
    const product = await admin.products.create({ name: 'Seat', listPrice: 100_00 });
    const deal = await admin.opportunities.create({ name: 'Deal', closeDate: '2026-12-31' });
    const items = [
      await admin.lineItems.create({ opportunityId: deal.id, productId: product.id, quantity: 2 }),
      await admin.lineItems.create({ opportunityId: deal.id, productId: product.id, quantity: 5 }),
    ];
    await admin.opportunities.delete(deal.id);
    for (const item of items) {
      const trail = await entries('lineItem', item.id);
      expect(trail.map((e) => e.action)).toEqual(['create', 'delete']);
      expect(trail[1]?.actorId).toBe(admin.actor.id);
      expect(change(trail[1], 'quantity')).toEqual({
        field: 'quantity',
        old: item.quantity,
        new: null,
      });
      expect(change(trail[1], 'opportunityId')).toEqual({
        field: 'opportunityId',
        old: deal.id,
        new: null,
      });
    }
  });

  test("lead conversion moves the lead's activities through the hooks: each relink is an entry of the converting actor", async () => {
    const { admin, rita, sam, entries } = await setup();
    const lead = await admin.leads.create({
      lastName: 'Poe',
      company: 'Umbrella',
      ownerId: rita.actor.id,
    });
    // One activity of Rita's, one of Sam's on Rita's lead: conversion moves both.
    const own = await rita.activities.create({ type: 'call', subject: 'Call', leadId: lead.id });
    const other = await admin.activities.create({
      type: 'email',
      subject: 'Mail',
      leadId: lead.id,
      ownerId: sam.actor.id,
    });
    const converted = await rita.leads.convert(lead.id);
    for (const activity of [own, other]) {
      const [, relinked, ...rest] = await entries('activity', activity.id);
      expect(rest).toEqual([]);
      expect(relinked).toMatchObject({
        action: 'update',
        actorId: rita.actor.id,
        actorRole: 'rep',
      });
      expect(change(relinked, 'contactId')).toEqual({
        field: 'contactId',
        old: null,
        new: converted.contact.id,
      });
      expect(change(relinked, 'accountId')).toEqual({
        field: 'accountId',
        old: null,
        new: converted.account.id,
      });
      expect(change(relinked, 'opportunityId')).toEqual({
        field: 'opportunityId',
        old: null,
        new: converted.opportunity?.id,
      });
    }
    // The relinked activity keeps its owner, and its version moved (the write is real).
    const moved = await admin.activities.get(other.id);
    expect([moved.ownerId, moved.version, moved.contactId]).toEqual([
      sam.actor.id,
      other.version + 1,
      converted.contact.id,
    ]);
  });

  test('bulk import (createMany, upsertMany) audits each record with its values', async () => {
    const { admin, entries } = await setup();
    const created = await admin.accounts.createMany([{ name: 'A1' }, { name: 'A2' }]);
    const upserted = await admin.accounts.upsertMany([
      { externalId: 'x1', name: 'X1' },
      { externalId: 'x1b', name: 'X2' },
    ]);
    for (const [record, name] of [
      [created[0], 'A1'],
      [created[1], 'A2'],
    ] as const) {
      const [entry] = await entries('account', String(record?.id));
      expect(change(entry, 'name')).toEqual({ field: 'name', old: null, new: name });
      expect(entry?.actorId).toBe(admin.actor.id);
    }
    expect(upserted).toBeDefined();
    const again = await admin.accounts.upsertMany([{ externalId: 'x1', name: 'X1 renamed' }]);
    expect(again).toBeDefined();
    const x1 = await admin.accounts.findByExternalId('x1');
    const trail = await entries('account', String(x1?.id));
    expect(change(trail.at(-1), 'name')).toEqual({ field: 'name', old: 'X1', new: 'X1 renamed' });
  });

  test('a rolled-back write of every path leaves no entry', async () => {
    const { admin, rita, leavesNothing } = await setup();
    const product = await admin.products.create({ name: 'Seat', listPrice: 100_00 });
    const account = await admin.accounts.create({ name: 'Globex', ownerId: rita.actor.id });
    const deal = await rita.opportunities.create({
      name: 'Deal',
      closeDate: '2026-12-31',
      accountId: account.id,
    });
    const lead = await rita.leads.create({ lastName: 'Lee', company: 'Lee Ltd' });
    await rita.activities.create({ type: 'call', subject: 'Call', leadId: lead.id });
    const other = await admin.accounts.create({ name: 'Other' });
    const contact = await admin.contacts.create({ lastName: 'Doe', accountId: other.id });

    await leavesNothing('create', () =>
      rita.opportunities.create({ name: 'Bad', closeDate: '2026-12-31', amount: -1 }),
    );
    await leavesNothing('update', () =>
      rita.accounts.update(account.id, { version: account.version + 5, name: 'Stale' }),
    );
    await leavesNothing('delete of a referenced record', () => admin.accounts.delete(account.id));
    await leavesNothing('createMany with one bad row', () =>
      admin.accounts.createMany([{ name: 'Fine' }, { name: '' }]),
    );
    await leavesNothing('upsertMany with one bad row', () =>
      admin.accounts.upsertMany([
        { externalId: 'ok', name: 'Fine' },
        { externalId: 'bad', name: '' },
      ]),
    );
    // Conversion fails after creating the account: the given contact belongs to another account.
    await leavesNothing('lead conversion', () =>
      admin.leads.convert(lead.id, { accountId: account.id, contactId: contact.id }),
    );
    await leavesNothing('closeWon with a bad line item', () =>
      rita.opportunities.closeWon(deal.id, {
        version: deal.version,
        lineItems: [
          { productId: product.id, quantity: 1 },
          { productId: 'nope', quantity: 1 },
        ],
      }),
    );
    await leavesNothing('stage change to an unknown stage', () =>
      rita.opportunities.changeStage(deal.id, { version: deal.version, stage: 'Nowhere' }),
    );
    await leavesNothing(
      'a transaction that throws after a create and a conversion',
      () =>
        rita.transaction(async (tx) => {
          await tx.accounts.create({ name: 'Ghost' });
          await tx.leads.convert(lead.id);
          throw new RangeError('abort');
        }),
      (error) => error instanceof RangeError,
    );
  });
});
