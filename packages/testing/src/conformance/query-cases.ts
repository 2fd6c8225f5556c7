import type { CrmRecord } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

type Deal = CrmRecord<'opportunity'>;
type DealWhere = NonNullable<Parameters<AnyScope['opportunities']['list']>[0]>['where'];

/** Amounts (in minor units) with duplicates and nulls, so ties and null ordering are exercised. */
const amounts = [100, 200, 200, null, 500, 300, null, 200, 1000, 50, 300, null, 700] as const;
const stages = ['Prospecting', 'Qualification', 'Needs Analysis', 'Closed Won', 'Closed Lost'];

/** The order `list` promises: nulls first ascending (last descending), ties broken by id. */
function compareBy(field: keyof Deal, direction: 'asc' | 'desc') {
  return (a: Deal, b: Deal): number => {
    const sign = direction === 'asc' ? 1 : -1;
    const x = a[field];
    const y = b[field];
    if (x !== y) {
      if (x === null) return -sign;
      if (y === null) return sign;
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return a.id < b.id ? -sign : a.id > b.id ? sign : 0;
  };
}

/** Every page of a list, following cursors. */
async function allPages(
  scope: AnyScope,
  query: Omit<NonNullable<Parameters<AnyScope['opportunities']['list']>[0]>, 'cursor'>,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = await scope.opportunities.list({ ...query, ...(cursor ? { cursor } : {}) });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(query.limit ?? 50);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
    if (pages > 100) throw new Error('pagination does not end');
  } while (cursor);
  return { ids, pages };
}

/** @internal Filters (every operator), sorting in both directions and cursor pagination. */
export function queryCases(setup: ConformanceSetup): void {
  describe('filters, sorting and pagination', () => {
    const crm = useCrm(setup);
    let admin: AnyScope;
    let deals: Deal[];
    beforeAll(async () => {
      admin = (await newTenant(crm())).admin;
      const owner = await admin.users.create({ name: 'Query Owner' });
      deals = [];
      for (const [index, amount] of amounts.entries()) {
        deals.push(
          await admin.opportunities.create({
            name: `deal-${String(index + 1).padStart(2, '0')}`,
            ownerId: owner.id,
            amount: amount === null ? null : amount * 100,
            stage: stages[index % stages.length],
            closeDate: `2026-${String((index % 12) + 1).padStart(2, '0')}-15`,
          }),
        );
      }
    });

    const filterCases: readonly [string, DealWhere, (deal: Deal) => boolean][] = [
      ['a bare value is equality', { amount: 20_000 }, (d) => d.amount === 20_000],
      ['eq', { amount: { eq: 20_000 } }, (d) => d.amount === 20_000],
      ['ne keeps rows without a value', { amount: { ne: 20_000 } }, (d) => d.amount !== 20_000],
      ['null is "has no value"', { amount: null }, (d) => d.amount === null],
      ['eq null', { amount: { eq: null } }, (d) => d.amount === null],
      ['ne null', { amount: { ne: null } }, (d) => d.amount !== null],
      ['isNull true', { amount: { isNull: true } }, (d) => d.amount === null],
      ['isNull false', { amount: { isNull: false } }, (d) => d.amount !== null],
      [
        'in',
        { amount: { in: [20_000, 30_000] } },
        (d) => d.amount === 20_000 || d.amount === 30_000,
      ],
      [
        'notIn keeps rows without a value',
        { amount: { notIn: [20_000, 30_000] } },
        (d) => d.amount !== 20_000 && d.amount !== 30_000,
      ],
      ['in with no values matches nothing', { amount: { in: [] } }, () => false],
      ['notIn with no values matches everything', { amount: { notIn: [] } }, () => true],
      ['gt', { amount: { gt: 20_000 } }, (d) => d.amount !== null && d.amount > 20_000],
      ['gte', { amount: { gte: 20_000 } }, (d) => d.amount !== null && d.amount >= 20_000],
      ['lt', { amount: { lt: 20_000 } }, (d) => d.amount !== null && d.amount < 20_000],
      ['lte', { amount: { lte: 20_000 } }, (d) => d.amount !== null && d.amount <= 20_000],
      [
        'a range on one field',
        { amount: { gte: 20_000, lt: 70_000 } },
        (d) => d.amount !== null && d.amount >= 20_000 && d.amount < 70_000,
      ],
      [
        'a range of dates',
        { closeDate: { gte: '2026-03-01', lte: '2026-06-30' } },
        (d) => d.closeDate >= '2026-03-01' && d.closeDate <= '2026-06-30',
      ],
      ['startsWith', { name: { startsWith: 'deal-1' } }, (d) => d.name.startsWith('deal-1')],
      ['a derived field (status)', { status: 'open' }, (d) => d.status === 'open'],
      [
        'several fields are ANDed',
        { stage: { in: ['Prospecting', 'Closed Won'] }, amount: { gte: 10_000 } },
        (d) =>
          (d.stage === 'Prospecting' || d.stage === 'Closed Won') &&
          d.amount !== null &&
          d.amount >= 10_000,
      ],
    ];

    for (const [title, where, predicate] of filterCases) {
      it(`filter: ${title}`, async () => {
        const expected = deals.filter(predicate).map((d) => d.id);
        const page = await admin.opportunities.list({ where, limit: 1000 });
        expect(page.items.map((d) => d.id).sort()).toEqual([...expected].sort());
        expect(await admin.opportunities.count(where)).toBe(expected.length);
      });
    }

    it('the filter cases discriminate: most match some rows but not all', async () => {
      const sizes = filterCases.map(([, , predicate]) => deals.filter(predicate).length);
      expect(sizes.filter((size) => size > 0 && size < deals.length).length).toBeGreaterThan(15);
    });

    it('filter by id and by createdBy', async () => {
      const target = deals[3]!;
      const page = await admin.opportunities.list({ where: { id: target.id } });
      expect(page.items.map((d) => d.id)).toEqual([target.id]);
      expect(await admin.opportunities.count({ createdBy: 'system' })).toBe(deals.length);
      expect(await admin.opportunities.count({ createdBy: 'someone-else' })).toBe(0);
    });

    it('startsWith is a case-sensitive prefix match that treats % and _ literally', async () => {
      const names = [
        'Acme',
        'acme',
        'Acorn',
        'Ac-Dc',
        'Abacus',
        'Bravo',
        'Ac',
        '50% off',
        '500 deals',
        'a_b',
        'axb',
        'Über',
        'Ac😀 emoji',
      ];
      const owner = await admin.users.create({ name: 'Prefix Owner' });
      for (const name of names) await admin.accounts.create({ name, ownerId: owner.id });
      const matching = async (prefix: string) =>
        (
          await admin.accounts.list({
            where: { ownerId: owner.id, name: { startsWith: prefix } },
            limit: 100,
          })
        ).items
          .map((a) => a.name)
          .sort();
      expect(await matching('Ac')).toEqual(['Ac', 'Ac-Dc', 'Acme', 'Acorn', 'Ac😀 emoji']);
      expect(await matching('50%')).toEqual(['50% off']);
      expect(await matching('a_')).toEqual(['a_b']);
      expect(await matching('Üb')).toEqual(['Über']);
      expect(await matching('')).toHaveLength(names.length);
    });

    const sorts: readonly [
      'amount' | 'name' | 'closeDate' | 'createdAt' | 'probability',
      'asc' | 'desc',
    ][] = [
      ['amount', 'asc'],
      ['amount', 'desc'],
      ['name', 'asc'],
      ['name', 'desc'],
      ['closeDate', 'asc'],
      ['closeDate', 'desc'],
      ['probability', 'asc'],
      ['probability', 'desc'],
      ['createdAt', 'asc'],
    ];
    for (const [field, direction] of sorts) {
      it(`sorts by ${field} ${direction} (nulls ${direction === 'asc' ? 'first' : 'last'}, ties by id) across pages`, async () => {
        const expected = [...deals].sort(compareBy(field, direction)).map((d) => d.id);
        const { ids, pages } = await allPages(admin, { orderBy: { field, direction }, limit: 4 });
        expect(ids).toEqual(expected);
        expect(pages).toBe(Math.ceil(deals.length / 4));
        const single = await admin.opportunities.list({
          orderBy: { field, direction },
          limit: 1000,
        });
        expect(single.items.map((d) => d.id)).toEqual(expected);
        expect(single.nextCursor).toBeNull();
      });
    }

    it('default order is createdAt ascending; pages of 1 visit every row exactly once', async () => {
      const { ids } = await allPages(admin, { limit: 1 });
      expect(new Set(ids).size).toBe(deals.length);
      expect(ids).toEqual([...deals].sort(compareBy('createdAt', 'asc')).map((d) => d.id));
    });

    it('pagination with a filter visits exactly the matching rows', async () => {
      const where: DealWhere = { amount: { ne: 20_000 } };
      const expected = deals
        .filter((d) => d.amount !== 20_000)
        .sort(compareBy('amount', 'desc'))
        .map((d) => d.id);
      const { ids } = await allPages(admin, {
        where,
        orderBy: { field: 'amount', direction: 'desc' },
        limit: 3,
      });
      expect(ids).toEqual(expected);
    });

    it('rows inserted behind the cursor do not shift the pages', async () => {
      const first = await admin.opportunities.list({
        orderBy: { field: 'name', direction: 'asc' },
        limit: 5,
      });
      const owner = await admin.users.create({ name: 'Late Owner' });
      const late = await admin.opportunities.create({
        name: 'deal-00',
        ownerId: owner.id,
        closeDate: '2026-01-01',
      });
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await admin.opportunities.list({
          orderBy: { field: 'name', direction: 'asc' },
          limit: 5,
          cursor,
        });
        rest.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor;
      }
      const seen = [...first.items.map((d) => d.id), ...rest];
      expect(seen).not.toContain(late.id);
      expect(new Set(seen)).toEqual(new Set(deals.map((d) => d.id)));
      await admin.opportunities.delete(late.id);
    });

    it('bad queries are VALIDATION errors with the path', async () => {
      await expectRapportError(admin.opportunities.list({ cursor: 'not-a-cursor' }), 'VALIDATION', [
        'cursor',
      ]);
      await expectRapportError(admin.opportunities.list({ limit: 0 }), 'VALIDATION', ['limit']);
      await expectRapportError(admin.opportunities.list({ limit: 1001 }), 'VALIDATION', ['limit']);
      await expectRapportError(
        // @ts-expect-error an unknown sort field does not compile either
        admin.opportunities.list({ orderBy: { field: 'bogus' } }),
        'VALIDATION',
        ['orderBy', 'field'],
      );
      await expectRapportError(
        // @ts-expect-error an unknown filter field does not compile either
        admin.opportunities.list({ where: { bogus: 1 } }),
        'VALIDATION',
        ['where', 'bogus'],
      );
      await expectRapportError(
        // @ts-expect-error an unknown operator does not compile either
        admin.opportunities.count({ amount: { like: '1%' } }),
        'VALIDATION',
        ['where', 'amount'],
      );
      await expectRapportError(
        // @ts-expect-error `in` takes an array
        admin.opportunities.count({ amount: { in: 5 } }),
        'VALIDATION',
        ['where', 'amount', 'in'],
      );
    });

    it('values and cursors of the wrong kind for the field are VALIDATION, not empty or a 500', async () => {
      const bad: [DealWhere, (string | number)[]][] = [
        [{ closeDate: { gte: '2026-02-30' } }, ['where', 'closeDate', 'gte']],
        [{ closeDate: '2026-13-01' }, ['where', 'closeDate']],
        [{ closeDate: { in: ['2026-01-15', '2026-04-31'] } }, ['where', 'closeDate', 'in', '1']],
        [{ createdAt: { lt: 'yesterday' } }, ['where', 'createdAt', 'lt']],
        [{ amount: { gt: Number.POSITIVE_INFINITY } }, ['where', 'amount', 'gt']],
        [{ amount: 0.5 }, ['where', 'amount']],
      ];
      for (const [where, path] of bad) {
        await expectRapportError(admin.opportunities.list({ where }), 'VALIDATION', path);
      }
      const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const [field, cursor] of [
        ['amount', forged(['lots', 'id'])],
        ['closeDate', forged(['2026-02-30', 'id'])],
        ['createdAt', forged([{ at: 1 }, 'id'])],
        ['name', forged([true, 'id'])],
        ['name', forged(['deal', 'id', 'extra'])],
      ] as const) {
        await expectRapportError(
          admin.opportunities.list({ orderBy: { field }, cursor }),
          'VALIDATION',
          ['cursor'],
        );
      }
      // An instant with an offset compares as the UTC instant it is, on every dialect.
      const utc = await admin.opportunities.count({ createdAt: { gte: '2000-01-01T00:00:00Z' } });
      const offset = await admin.opportunities.count({
        createdAt: { gte: '2000-01-01T02:00:00+02:00' },
      });
      expect(offset).toBe(utc);
      expect(utc).toBe(deals.length);
    });
  });
}
