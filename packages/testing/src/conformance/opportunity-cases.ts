import type { CrmRecord } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectNothingWritten,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

type History = CrmRecord<'stageHistory'>;

/** @internal Stage history, closing won and lost, and line items that make up the amount. */
export function opportunityCases(setup: ConformanceSetup): void {
  describe('opportunities: stage history, closing, line items', () => {
    const crm = useCrm(setup);
    let admin: AnyScope;
    let ownerId: string;
    let widget: { id: string };
    const newDeal = (extra: { amount?: number | null; closeDate?: string } = {}) =>
      admin.opportunities.create({
        name: 'Pipeline deal',
        ownerId,
        closeDate: '2026-09-30',
        amount: 1_000_00,
        ...extra,
      });
    const historyOf = async (id: string): Promise<History[]> =>
      (await admin.stageHistory.list({ where: { opportunityId: id }, limit: 1000 })).items;

    beforeAll(async () => {
      admin = (await newTenant(crm())).admin;
      ownerId = (await admin.users.create({ name: 'Deal Owner' })).id;
      widget = await admin.products.create({ name: 'Widget', listPrice: 25_00 });
    });

    it('a new opportunity starts at the first open stage with one history row', async () => {
      const deal = await newDeal();
      expect(deal).toMatchObject({
        stage: 'Prospecting',
        status: 'open',
        probability: 10,
        forecastCategory: 'Pipeline',
        openDate: await admin.today(),
      });
      expect(await historyOf(deal.id)).toEqual([
        expect.objectContaining({
          opportunityId: deal.id,
          stage: 'Prospecting',
          previousStage: null,
          status: 'open',
          amount: 1_000_00,
          previousAmount: null,
          currency: 'EUR',
          probability: 10,
          previousProbability: null,
          forecastCategory: 'Pipeline',
          closeDate: '2026-09-30',
          previousCloseDate: null,
        }),
      ]);
    });

    it('each change of stage, amount, probability or close date adds a row with the previous values', async () => {
      const deal = await newDeal();
      const staged = await admin.opportunities.changeStage(deal.id, {
        version: deal.version,
        stage: 'Needs Analysis',
      });
      expect(staged).toMatchObject({ stage: 'Needs Analysis', probability: 20, status: 'open' });
      const priced = await admin.opportunities.update(deal.id, {
        version: staged.version,
        amount: 2_000_00,
      });
      const likely = await admin.opportunities.update(deal.id, {
        version: priced.version,
        probability: 35,
      });
      const later = await admin.opportunities.update(deal.id, {
        version: likely.version,
        closeDate: '2026-10-31',
      });
      // A field that is not tracked writes no row.
      await admin.opportunities.update(deal.id, { version: later.version, nextStep: 'Demo' });

      const rows = await historyOf(deal.id);
      expect(rows).toHaveLength(5);
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            stage: 'Needs Analysis',
            previousStage: 'Prospecting',
            probability: 20,
            previousProbability: 10,
            amount: 1_000_00,
            previousAmount: 1_000_00,
          }),
          expect.objectContaining({
            stage: 'Needs Analysis',
            previousStage: 'Needs Analysis',
            amount: 2_000_00,
            previousAmount: 1_000_00,
          }),
          expect.objectContaining({ probability: 35, previousProbability: 20 }),
          expect.objectContaining({ closeDate: '2026-10-31', previousCloseDate: '2026-09-30' }),
        ]),
      );
    });

    it('a stage move keeps an explicit probability and follows the stage otherwise', async () => {
      const deal = await newDeal();
      const moved = await admin.opportunities.changeStage(deal.id, {
        version: deal.version,
        stage: 'Value Proposition',
        probability: 42,
      });
      expect(moved.probability).toBe(42);
      const next = await admin.opportunities.changeStage(deal.id, {
        version: moved.version,
        stage: 'Negotiation/Review',
      });
      expect(next.probability).toBe(90);
    });

    it('an unknown stage is a VALIDATION error and writes no history', async () => {
      const deal = await newDeal();
      const error = await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.changeStage(deal.id, { version: deal.version, stage: 'Daydreaming' }),
        'VALIDATION',
        ['stage'],
      );
      expect(error.issues[0]?.code).toBe('unknown_stage');
      expect(await admin.opportunities.get(deal.id)).toEqual(deal);
      await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.create({
            name: 'x',
            ownerId,
            closeDate: '2026-01-01',
            stage: 'Nope',
          }),
        'VALIDATION',
        ['stage'],
      );
    });

    it('stages come from the opportunity pipeline', async () => {
      const renewals = await admin.pipelines.create({
        name: 'Renewals',
        stages: [
          { name: 'Due', probability: 50, forecastCategory: 'Pipeline', status: 'open' },
          { name: 'Renewed', probability: 100, forecastCategory: 'Closed', status: 'won' },
          { name: 'Churned', probability: 0, forecastCategory: 'Omitted', status: 'lost' },
        ],
      });
      const deal = await admin.opportunities.create({
        name: 'Renewal',
        ownerId,
        pipelineId: renewals.id,
        closeDate: '2026-06-30',
      });
      expect(deal).toMatchObject({ stage: 'Due', probability: 50 });
      await expectRapportError(
        admin.opportunities.changeStage(deal.id, { version: deal.version, stage: 'Prospecting' }),
        'VALIDATION',
        ['stage'],
      );
      const won = await admin.opportunities.closeWon(deal.id, {
        version: deal.version,
        closeDate: '2026-06-01',
      });
      expect(won).toMatchObject({ stage: 'Renewed', status: 'won', probability: 100 });
      await expectRapportError(
        admin.pipelines.create({
          name: 'No lost stage',
          stages: [
            { name: 'A', probability: 10, forecastCategory: 'Pipeline', status: 'open' },
            { name: 'B', probability: 100, forecastCategory: 'Closed', status: 'won' },
          ],
        }),
        'VALIDATION',
        ['stages'],
      );
    });

    it('closeWon sets the won stage, the close date and status', async () => {
      const deal = await newDeal();
      const won = await admin.opportunities.closeWon(deal.id, {
        version: deal.version,
        closeDate: '2026-08-15',
      });
      expect(won).toMatchObject({
        stage: 'Closed Won',
        status: 'won',
        probability: 100,
        forecastCategory: 'Closed',
        closeDate: '2026-08-15',
        amount: 1_000_00,
      });
      expect(await admin.opportunities.get(deal.id)).toEqual(won);
      expect(await historyOf(deal.id)).toContainEqual(
        expect.objectContaining({
          stage: 'Closed Won',
          previousStage: 'Prospecting',
          status: 'won',
          closeDate: '2026-08-15',
          previousCloseDate: '2026-09-30',
        }),
      );
      expect(await admin.opportunities.count({ id: deal.id, status: 'won' })).toBe(1);
    });

    it("closeWon and closeLost default the close date to the tenant's today", async () => {
      const today = await admin.today();
      const a = await newDeal();
      expect((await admin.opportunities.closeWon(a.id, { version: a.version })).closeDate).toBe(
        today,
      );
      const b = await newDeal();
      const lost = await admin.opportunities.closeLost(b.id, {
        version: b.version,
        lostReason: 'Price',
      });
      expect(lost).toMatchObject({
        stage: 'Closed Lost',
        status: 'lost',
        probability: 0,
        forecastCategory: 'Omitted',
        lostReason: 'Price',
        closeDate: today,
      });
      expect(await admin.opportunities.get(b.id)).toEqual(lost);
    });

    it('closeLost needs a reason', async () => {
      const deal = await newDeal();
      await expectNothingWritten(
        admin,
        // @ts-expect-error lostReason is required
        () => admin.opportunities.closeLost(deal.id, { version: deal.version }),
        'VALIDATION',
        ['lostReason'],
      );
      expect((await admin.opportunities.get(deal.id)).status).toBe('open');
    });

    it('a closed opportunity can be reopened by moving it to an open stage', async () => {
      const deal = await newDeal();
      const lost = await admin.opportunities.closeLost(deal.id, {
        version: deal.version,
        lostReason: 'Timing',
      });
      const reopened = await admin.opportunities.changeStage(deal.id, {
        version: lost.version,
        stage: 'Qualification',
      });
      expect(reopened).toMatchObject({ status: 'open', stage: 'Qualification', probability: 10 });
    });

    it('status is derived from the stage and cannot be written', async () => {
      const deal = await newDeal();
      await expectNothingWritten(
        admin,
        // @ts-expect-error status is read-only
        () => admin.opportunities.update(deal.id, { version: deal.version, status: 'won' }),
        'VALIDATION',
        ['status'],
      );
    });

    it('line items keep the amount equal to the sum of their totals', async () => {
      const deal = await newDeal({ amount: 999_00 });
      const first = await admin.lineItems.create({
        opportunityId: deal.id,
        productId: widget.id,
        quantity: 2,
      });
      expect(first).toMatchObject({ unitPrice: 25_00, totalPrice: 50_00, currency: 'EUR' });
      expect((await admin.opportunities.get(deal.id)).amount).toBe(50_00);

      const second = await admin.lineItems.create({
        opportunityId: deal.id,
        productId: widget.id,
        quantity: 3,
        unitPrice: 10_00,
        discount: 10,
      });
      expect(second.totalPrice).toBe(27_00);
      expect((await admin.opportunities.get(deal.id)).amount).toBe(77_00);

      // The discount survives an update that does not mention it.
      const more = await admin.lineItems.update(second.id, {
        version: second.version,
        quantity: 4,
      });
      expect(more).toMatchObject({ quantity: 4, discount: 10, totalPrice: 36_00 });
      expect((await admin.opportunities.get(deal.id)).amount).toBe(86_00);

      await admin.lineItems.delete(first.id);
      const after = await admin.opportunities.get(deal.id);
      expect(after.amount).toBe(36_00);
      const sum = (await admin.lineItems.list({ where: { opportunityId: deal.id } })).items.reduce(
        (total, item) => total + (item.totalPrice ?? 0),
        0,
      );
      expect(sum).toBe(after.amount);
      // Every amount change left a history row.
      expect((await historyOf(deal.id)).map((row) => row.amount)).toEqual(
        expect.arrayContaining([999_00, 50_00, 77_00, 86_00, 36_00]),
      );
    });

    it('totals round half away from zero to whole minor units', async () => {
      const deal = await newDeal();
      const item = await admin.lineItems.create({
        opportunityId: deal.id,
        productId: widget.id,
        quantity: 3,
        unitPrice: 333,
        discount: 33.3,
      });
      expect(item.totalPrice).toBe(666);
      expect((await admin.opportunities.get(deal.id)).amount).toBe(666);
    });

    it('with line items, the amount cannot be set by hand', async () => {
      const deal = await newDeal();
      await admin.lineItems.create({ opportunityId: deal.id, productId: widget.id, quantity: 1 });
      const current = await admin.opportunities.get(deal.id);
      await expectNothingWritten(
        admin,
        () => admin.opportunities.update(deal.id, { version: current.version, amount: 1 }),
        'VALIDATION',
        ['amount'],
      );
      expect(await admin.opportunities.get(deal.id)).toEqual(current);
    });

    it('line item rules: positive quantity, discount up to 100, price in the deal currency, fixed opportunity', async () => {
      const deal = await newDeal();
      const input = { opportunityId: deal.id, productId: widget.id };
      await expectNothingWritten(
        admin,
        () => admin.lineItems.create({ ...input, quantity: -1 }),
        'VALIDATION',
        ['quantity'],
      );
      await expectNothingWritten(
        admin,
        () => admin.lineItems.create({ ...input, quantity: 0 }),
        'VALIDATION',
        ['quantity'],
      );
      await expectNothingWritten(
        admin,
        () => admin.lineItems.create({ ...input, quantity: 1, discount: 150 }),
        'VALIDATION',
        ['discount'],
      );
      await expectNothingWritten(
        admin,
        () => admin.lineItems.create({ ...input, quantity: 1, unitPrice: -100 }),
        'VALIDATION',
        ['unitPrice'],
      );
      await admin.currencies.setRate('USD', 0.9);
      const dollarProduct = await admin.products.create({
        name: 'Dollar thing',
        listPrice: 10_00,
        currency: 'USD',
      });
      await expectNothingWritten(
        admin,
        () => admin.lineItems.create({ ...input, productId: dollarProduct.id, quantity: 1 }),
        'VALIDATION',
        ['unitPrice'],
      );
      const other = await newDeal();
      const item = await admin.lineItems.create({ ...input, quantity: 1 });
      await expectRapportError(
        admin.lineItems.update(item.id, { version: item.version, opportunityId: other.id }),
        'VALIDATION',
        ['opportunityId'],
      );
    });

    it('closeWon adds its line items in the same transaction', async () => {
      const deal = await newDeal();
      const won = await admin.opportunities.closeWon(deal.id, {
        version: deal.version,
        closeDate: '2026-07-01',
        lineItems: [
          { productId: widget.id, quantity: 4 },
          { productId: widget.id, quantity: 1, unitPrice: 5_00 },
        ],
      });
      expect(won).toMatchObject({ status: 'won', amount: 105_00 });
      expect(await admin.lineItems.count({ opportunityId: deal.id })).toBe(2);
    });

    it('a bad line item in closeWon rolls back the whole close, with the item index in the path', async () => {
      const deal = await newDeal();
      await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.closeWon(deal.id, {
            version: deal.version,
            lineItems: [
              { productId: widget.id, quantity: 1 },
              { productId: widget.id, quantity: -2 },
            ],
          }),
        'VALIDATION',
        ['lineItems', 1, 'quantity'],
      );
      expect(await admin.opportunities.get(deal.id)).toEqual(deal);
    });
  });
}
