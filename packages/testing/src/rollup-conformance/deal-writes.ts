import fc from 'fast-check';
import { expect } from 'vitest';
import { applyLeadOp, isLeadOp, leadOp } from './lead-writes.js';
import type { Scope } from './rollup-engines.js';

/** @internal The item at `index`, which the arbitraries keep in range. */
export function at<T>(list: readonly T[], index: number): T {
  const item = list[index % list.length];
  if (item === undefined) throw new Error(`no item ${index} in a list of ${list.length}`);
  return item;
}

/** @internal The close dates the writes pick from (month ends and starts of Q2 2026). */
export const days = [
  '2026-04-10',
  '2026-05-03',
  '2026-05-31',
  '2026-06-01',
  '2026-06-14',
  '2026-06-30',
];
/** @internal The stages the writes pick from, open and closed. */
export const stages = ['Prospecting', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] as const;

/** @internal A write of the random sequences: deal, line item, quota and lead writes. */
export const dealOp = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    owner: fc.nat(2),
    amount: fc.option(fc.integer({ min: 0, max: 90_000_00 }), { nil: null }),
    usd: fc.boolean(),
    day: fc.nat(days.length - 1),
    stage: fc.constantFrom(...stages),
    source: fc.constantFrom('Web', 'Partner', null),
  }),
  fc.record({
    kind: fc.constant('update' as const),
    pick: fc.nat(),
    owner: fc.option(fc.nat(2), { nil: undefined }),
    day: fc.option(fc.nat(days.length - 1), { nil: undefined }),
    stage: fc.option(fc.constantFrom(...stages), { nil: undefined }),
    usd: fc.option(fc.boolean(), { nil: undefined }),
    amount: fc.option(fc.integer({ min: 0, max: 90_000_00 }), { nil: undefined }),
    // Whole percent is kept exactly; a fractional one makes the weighted pipeline scan.
    probability: fc.option(fc.constantFrom(15, 35, 33.5, 62.25), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('close' as const), pick: fc.nat(), won: fc.boolean() }),
  fc.record({ kind: fc.constant('rollback' as const), pick: fc.nat(), owner: fc.nat(2) }),
  fc.record({
    kind: fc.constant('import' as const),
    count: fc.integer({ min: 1, max: 12 }),
    seed: fc.nat(),
  }),
  // Line item writes that move a deal's main product (the `product` breakdown) and its amount.
  fc.record({
    kind: fc.constant('addItem' as const),
    pick: fc.nat(),
    product: fc.nat(2),
    quantity: fc.integer({ min: 1, max: 3 }),
    price: fc.integer({ min: 1_00, max: 40_000_00 }),
  }),
  fc.record({
    kind: fc.constant('updateItem' as const),
    pick: fc.nat(),
    price: fc.integer({ min: 1_00, max: 40_000_00 }),
  }),
  fc.record({ kind: fc.constant('deleteItem' as const), pick: fc.nat(), largest: fc.boolean() }),
  fc.record({
    kind: fc.constant('replaceItems' as const),
    pick: fc.nat(),
    products: fc.array(fc.nat(2), { maxLength: 3 }),
    price: fc.integer({ min: 1_00, max: 40_000_00 }),
  }),
  fc.record({
    kind: fc.constant('quota' as const),
    owner: fc.nat(2),
    period: fc.constantFrom(
      ['2026-04-01', '2026-04-30'] as const,
      ['2026-05-01', '2026-05-31'] as const,
      ['2026-06-01', '2026-06-30'] as const,
    ),
  }),
  // Lead writes and zone changes: as likely as all the deal writes together.
  { arbitrary: leadOp, weight: 7 },
);
/** @internal One write of {@link dealOp}. */
export type Op = typeof dealOp extends fc.Arbitrary<infer T> ? T : never;

/** @internal A tenant of the suite and what its writes made (the ids the next writes pick). */
export interface World {
  readonly scope: Scope;
  /** The manager, then her two reps. */
  readonly owners: readonly [string, string, string];
  /** Two products of one family, one without a family. */
  readonly products: readonly [string, string, string];
  readonly ids: string[];
  /** The leads' ids. */
  readonly leads: string[];
  /** The line items of each deal that has some. */
  readonly items: Map<string, string[]>;
}

/** The deals that have line items. */
function withItems(world: World): string[] {
  return world.ids.filter((id) => (world.items.get(id)?.length ?? 0) > 0);
}

/** @internal Applies one write of a sequence to the world's tenant. */
export async function applyDealOp(world: World, step: Op): Promise<void> {
  if (isLeadOp(step)) return applyLeadOp(world, step);
  const { scope, owners, products, ids, items } = world;
  const pick = (n: number) => ids[n % ids.length];
  switch (step.kind) {
    case 'create': {
      const deal = await scope.opportunities.create({
        name: 'deal',
        ownerId: at(owners, step.owner),
        amount: step.amount,
        currency: step.usd ? 'USD' : 'EUR',
        openDate: '2026-03-01',
        closeDate: at(days, step.day),
        stage: step.stage,
        leadSource: step.source,
      });
      ids.push(deal.id);
      return;
    }
    case 'update': {
      const id = pick(step.pick);
      if (!id) return;
      const deal = await scope.opportunities.get(id);
      // A deal's line items make its amount and fix its currency.
      const free = (items.get(id)?.length ?? 0) === 0;
      await scope.opportunities.update(id, {
        version: deal.version,
        ...(step.owner === undefined ? {} : { ownerId: at(owners, step.owner) }),
        ...(step.day === undefined ? {} : { closeDate: at(days, step.day) }),
        ...(step.stage === undefined ? {} : { stage: step.stage }),
        ...(step.usd === undefined || !free ? {} : { currency: step.usd ? 'USD' : 'EUR' }),
        ...(step.amount === undefined || !free ? {} : { amount: step.amount }),
        ...(step.probability === undefined || deal.status !== 'open'
          ? {}
          : { probability: step.probability }),
      });
      return;
    }
    case 'delete': {
      const id = pick(step.pick);
      if (!id) return;
      await scope.opportunities.delete(id);
      ids.splice(ids.indexOf(id), 1);
      items.delete(id);
      return;
    }
    case 'close': {
      const id = pick(step.pick);
      if (!id) return;
      const deal = await scope.opportunities.get(id);
      if (deal.status !== 'open') return;
      if (step.won) await scope.opportunities.closeWon(id, { version: deal.version });
      else await scope.opportunities.closeLost(id, { version: deal.version, lostReason: 'Price' });
      return;
    }
    case 'rollback': {
      const id = pick(step.pick);
      const failure = new Error('rolled back on purpose');
      await expect(
        scope.transaction(async (tx) => {
          await tx.opportunities.create({
            name: 'gone',
            ownerId: at(owners, step.owner),
            amount: 5_00,
            closeDate: at(days, 0),
            stage: 'Closed Won',
          });
          if (id) {
            const deal = await tx.opportunities.get(id);
            await tx.opportunities.update(id, {
              version: deal.version,
              ownerId: at(owners, step.owner),
            });
            // The largest item of the deal: its main product moves, then rolls back.
            await tx.lineItems.create({
              opportunityId: id,
              productId: at(products, step.owner),
              quantity: 1,
              unitPrice: 90_000_00,
            });
          }
          throw failure;
        }),
      ).rejects.toBe(failure);
      return;
    }
    case 'import': {
      const created = await scope.opportunities.createMany(
        Array.from({ length: step.count }, (_, i) => ({
          name: `import ${i}`,
          ownerId: at(owners, step.seed + i),
          amount: ((step.seed * 7 + i * 13) % 100) * 1_00,
          currency: (step.seed + i) % 3 === 0 ? 'USD' : 'EUR',
          openDate: '2026-02-01',
          closeDate: at(days, step.seed + i),
          stage: at(stages, step.seed + i),
        })),
      );
      ids.push(...created.map((deal) => deal.id));
      return;
    }
    case 'addItem': {
      const id = pick(step.pick);
      if (!id) return;
      const item = await scope.lineItems.create({
        opportunityId: id,
        productId: at(products, step.product),
        quantity: step.quantity,
        unitPrice: step.price,
      });
      items.set(id, [...(items.get(id) ?? []), item.id]);
      return;
    }
    case 'updateItem': {
      const deals = withItems(world);
      if (deals.length === 0) return;
      const itemId = at(items.get(at(deals, step.pick)) ?? [], step.pick);
      const item = await scope.lineItems.get(itemId);
      await scope.lineItems.update(itemId, { version: item.version, unitPrice: step.price });
      return;
    }
    case 'deleteItem': {
      const deals = withItems(world);
      if (deals.length === 0) return;
      const id = at(deals, step.pick);
      const own = items.get(id) ?? [];
      let itemId = at(own, step.pick);
      if (step.largest) {
        // The main product's item: the next largest takes its place (or none).
        const stored = await Promise.all(own.map((each) => scope.lineItems.get(each)));
        stored.sort((a, b) => Number(b.totalPrice) - Number(a.totalPrice));
        itemId = stored[0]?.id ?? itemId;
      }
      await scope.lineItems.delete(itemId);
      items.set(
        id,
        own.filter((each) => each !== itemId),
      );
      return;
    }
    case 'replaceItems': {
      const id = pick(step.pick);
      if (!id) return;
      // Every item out and new ones in (a bulk create), in one transaction.
      const created = await scope.transaction(async (tx) => {
        for (const itemId of items.get(id) ?? []) await tx.lineItems.delete(itemId);
        return tx.lineItems.createMany(
          step.products.map((product, i) => ({
            opportunityId: id,
            productId: at(products, product),
            quantity: i + 1,
            unitPrice: step.price,
          })),
        );
      });
      items.set(
        id,
        created.map((item) => item.id),
      );
      return;
    }
    case 'quota':
      await scope.quotas.create({
        ownerId: at(owners, step.owner),
        periodStart: step.period[0],
        periodEnd: step.period[1],
        amount: 10_000_00,
      });
      return;
  }
}
