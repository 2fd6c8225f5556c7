import { describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectNothingWritten,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

/** The history of a deal as KPIs read it: stage, previous stage and instant, oldest first. */
async function historyOf(admin: AnyScope, opportunityId: string) {
  const page = await admin.stageHistory.list({
    where: { opportunityId },
    orderBy: { field: 'createdAt' },
    limit: 100,
  });
  return page.items.map((row) => ({
    stage: row.stage,
    previousStage: row.previousStage,
    at: new Date(row.createdAt).toISOString(),
    amount: row.amount,
    previousAmount: row.previousAmount,
  }));
}

/** @internal History imports: records' own creation dates and deals' past stage changes. */
export function historyImportCases(setup: ConformanceSetup): void {
  describe('history import', () => {
    const crm = useCrm(setup);

    it('createMany and upsertMany with history keep each record its own created date and author', async () => {
      const { admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'History Owner', role: 'rep' });
      const [lead] = await admin.leads.createMany(
        [
          {
            lastName: 'Early',
            company: 'Old Co',
            ownerId: owner.id,
            createdAt: '2018-03-01T09:30:00+01:00',
            createdBy: 'sf-user-7',
          },
        ],
        { history: true },
      );
      expect(new Date(String(lead?.createdAt)).toISOString()).toBe('2018-03-01T08:30:00.000Z');
      expect(lead?.createdBy).toBe('sf-user-7');
      const deal = {
        externalId: 'D-1',
        name: 'Old deal',
        ownerId: owner.id,
        closeDate: '2018-06-30',
        createdAt: '2018-04-02T10:00:00Z',
      };
      const first = await admin.opportunities.upsertMany([deal], { history: true });
      const created = first.records[0];
      // Written as of its creation: the open date and the first stage history entry follow it.
      expect(created?.openDate).toBe('2018-04-02');
      expect(await historyOf(admin, String(created?.id))).toMatchObject([
        { stage: 'Prospecting', previousStage: null, at: '2018-04-02T10:00:00.000Z' },
      ]);
      const again = await admin.opportunities.upsertMany([deal], { history: true });
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
      expect(await admin.stageHistory.count()).toBe(1);
    });

    it('refuses bad, future and changed creation dates, and history writes by non-admins', async () => {
      const { id, admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'History Owner', role: 'rep' });
      const good = { lastName: 'Good', company: 'Co', ownerId: owner.id };
      await expectNothingWritten(
        admin,
        () => admin.leads.createMany([good, { ...good, createdAt: '1.2.2018' }], { history: true }),
        'VALIDATION',
        [1, 'createdAt'],
      );
      await expectNothingWritten(
        admin,
        () =>
          admin.leads.createMany([{ ...good, createdAt: '2999-01-01T00:00:00Z' }], {
            history: true,
          }),
        'VALIDATION',
        [0, 'createdAt'],
      );
      // Without the history option, createdAt is not an input field.
      await expectNothingWritten(
        admin,
        // @ts-expect-error createdAt needs { history: true }
        () => admin.leads.createMany([{ ...good, createdAt: '2018-01-01T00:00:00Z' }]),
        'VALIDATION',
      );
      const rep = crm().tenant(id).as({ id: owner.id, role: owner.role });
      await expectNothingWritten(
        admin,
        () =>
          rep.leads.createMany([{ ...good, createdAt: '2018-01-01T00:00:00Z' }], { history: true }),
        'FORBIDDEN',
      );
      await admin.leads.upsertMany(
        [{ ...good, externalId: 'L-1', createdAt: '2018-01-01T00:00:00Z' }],
        { history: true },
      );
      await expectRapportError(
        admin.leads.upsertMany(
          [{ ...good, externalId: 'L-1', createdAt: '2019-01-01T00:00:00Z' }],
          {
            history: true,
          },
        ),
        'VALIDATION',
        [0, 'createdAt'],
      );
    });

    it('importStageHistory dates each change, chains previous values and replaces the creation entry', async () => {
      const { admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'History Owner', role: 'rep' });
      const {
        records: [deal],
      } = await admin.opportunities.upsertMany(
        [
          {
            externalId: 'D-1',
            name: 'Won in 2018',
            ownerId: owner.id,
            stage: 'Closed Won',
            amount: 500_00,
            closeDate: '2018-05-31',
            createdAt: '2018-01-10T08:00:00Z',
          },
        ],
        { history: true },
      );
      const opportunityId = String(deal?.id);
      const changes = [
        { opportunityId, stage: 'Qualification', changedAt: '2018-02-01T08:00:00Z' },
        { opportunityId, stage: 'Prospecting', changedAt: '2018-01-10T08:00:00Z', amount: 400_00 },
        { opportunityId, stage: 'Closed Won', changedAt: '2018-05-20T12:00:00Z', amount: 500_00 },
      ];
      const result = await admin.opportunities.importStageHistory(changes);
      expect(result).toEqual({ created: 3, updated: 0, unchanged: 0, replaced: 1 });
      expect(await historyOf(admin, opportunityId)).toEqual([
        {
          stage: 'Prospecting',
          previousStage: null,
          at: '2018-01-10T08:00:00.000Z',
          amount: 400_00,
          previousAmount: null,
        },
        {
          stage: 'Qualification',
          previousStage: 'Prospecting',
          at: '2018-02-01T08:00:00.000Z',
          amount: 400_00,
          previousAmount: 400_00,
        },
        {
          stage: 'Closed Won',
          previousStage: 'Qualification',
          at: '2018-05-20T12:00:00.000Z',
          amount: 500_00,
          previousAmount: 400_00,
        },
      ]);
      const twice = await admin.opportunities.importStageHistory(changes);
      expect(twice).toEqual({ created: 0, updated: 0, unchanged: 3, replaced: 0 });

      // In two parts: the same history as in one.
      const {
        records: [other],
      } = await admin.opportunities.upsertMany(
        [{ externalId: 'D-2', name: 'Parts', ownerId: owner.id, closeDate: '2018-05-31' }],
        { history: true },
      );
      const otherId = String(other?.id);
      const parts = changes.map((change) => ({ ...change, opportunityId: otherId }));
      await admin.opportunities.importStageHistory(parts.slice(2));
      await admin.opportunities.importStageHistory(parts.slice(0, 2));
      expect(await historyOf(admin, otherId)).toEqual(await historyOf(admin, opportunityId));
    });

    it('importStageHistory is all or nothing: unknown deals and stages are VALIDATION at their index', async () => {
      const { id, admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'History Owner', role: 'rep' });
      const deal = await admin.opportunities.create({
        name: 'Deal',
        ownerId: owner.id,
        closeDate: '2018-05-31',
      });
      const good = {
        opportunityId: deal.id,
        stage: 'Prospecting',
        changedAt: '2018-01-01T00:00:00Z',
      };
      await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.importStageHistory([
            good,
            { ...good, opportunityId: 'nope', changedAt: '2018-01-02T00:00:00Z' },
          ]),
        'VALIDATION',
        [1, 'opportunityId'],
      );
      await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.importStageHistory([
            good,
            { ...good, stage: 'Haggling', changedAt: '2018-01-02T00:00:00Z' },
          ]),
        'VALIDATION',
        [1, 'stage'],
      );
      await expectNothingWritten(
        admin,
        () => admin.opportunities.importStageHistory([good, good]),
        'VALIDATION',
        [1, 'changedAt'],
      );
      await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.importStageHistory([{ ...good, changedAt: '2999-01-01T00:00:00Z' }]),
        'VALIDATION',
        [0, 'changedAt'],
      );
      const rep = crm().tenant(id).as({ id: owner.id, role: owner.role });
      await expectNothingWritten(
        admin,
        () => rep.opportunities.importStageHistory([good]),
        'FORBIDDEN',
      );
    });
  });
}
