import { createCrm, definePlugin, isRapportError } from '@rapport/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type ConformanceSetup,
  expectNothingWritten,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

const scoringPlugin = definePlugin({
  id: 'conformance-scoring',
  fields: {
    lead: { score: z.number().min(0).max(100).optional() },
    opportunity: { competitor: z.string().max(50).optional() },
  },
});

const fields = {
  opportunity: {
    nps: z.number().int().min(0).max(10).optional(),
    region: z.enum(['EMEA', 'AMER', 'APAC']).optional(),
    strategic: z.boolean().optional(),
  },
  account: { tier: z.string().optional() },
};

/** @internal Custom fields from config and plugins: stored, validated, typed and filterable. */
export function customFieldCases(setup: ConformanceSetup): void {
  describe('custom fields', () => {
    const crm = useCrm(setup, { fields, plugins: [scoringPlugin] });
    let admin: ReturnType<ReturnType<ReturnType<typeof crm>['tenant']>['system']>;
    let ownerId: string;
    beforeAll(async () => {
      admin = (await newTenant(crm())).admin;
      ownerId = (await admin.users.create({ name: 'Custom Owner' })).id;
    });
    const deal = (
      name: string,
      custom: Parameters<typeof admin.opportunities.create>[0]['custom'],
    ) => admin.opportunities.create({ name, ownerId, closeDate: '2026-12-31', custom });

    it('are stored with the record, read back with their types, and typed', async () => {
      const created = await deal('Custom', {
        nps: 9,
        region: 'EMEA',
        strategic: true,
        competitor: 'Globex',
      });
      expect(created.custom).toEqual({
        nps: 9,
        region: 'EMEA',
        strategic: true,
        competitor: 'Globex',
      });
      const read = await admin.opportunities.get(created.id);
      expect(read.custom).toEqual(created.custom);
      expectTypeOf(read.custom.nps).toEqualTypeOf<number | undefined>();
      expectTypeOf(read.custom.region).toEqualTypeOf<'EMEA' | 'AMER' | 'APAC' | undefined>();
      expectTypeOf(read.custom.competitor).toEqualTypeOf<string | undefined>();
      const lead = await admin.leads.create({
        lastName: 'Scored',
        company: 'Plugin Co',
        ownerId,
        custom: { score: 77 },
      });
      expectTypeOf(lead.custom.score).toEqualTypeOf<number | undefined>();
      expect((await admin.leads.get(lead.id)).custom).toEqual({ score: 77 });
      const account = await admin.accounts.create({ name: 'No custom', ownerId });
      expect((await admin.accounts.get(account.id)).custom).toEqual({});
    });

    it('refuse a NUL character in text, as PostgreSQL jsonb would', async () => {
      await expectNothingWritten(
        admin,
        () => deal('Nul', { competitor: 'Glo\u0000bex' }),
        'VALIDATION',
        ['custom', 'competitor'],
      );
      const account = await admin.accounts.create({ name: 'Tiered', ownerId });
      await expectRapportError(
        admin.accounts.update(account.id, { version: account.version, custom: { tier: '\u0000' } }),
        'VALIDATION',
        ['custom', 'tier'],
      );
      expect((await admin.accounts.get(account.id)).custom).toEqual({});
    });

    it('are validated on write: bad values and unknown fields write nothing', async () => {
      await expectNothingWritten(admin, () => deal('Bad', { nps: 11 }), 'VALIDATION', [
        'custom',
        'nps',
      ]);
      await expectNothingWritten(
        admin,
        // @ts-expect-error nps is a number
        () => deal('Bad', { nps: 'high' }),
        'VALIDATION',
        ['custom', 'nps'],
      );
      await expectNothingWritten(
        admin,
        // @ts-expect-error region is one of three values
        () => deal('Bad', { region: 'MARS' }),
        'VALIDATION',
        ['custom', 'region'],
      );
      const unknown = await expectNothingWritten(
        admin,
        // @ts-expect-error bogus is not a custom field of opportunities
        () => deal('Bad', { bogus: 1 }),
        'VALIDATION',
        ['custom', 'bogus'],
      );
      expect(unknown.issues[0]?.code).toBe('unknown_field');
      await expectNothingWritten(
        admin,
        // @ts-expect-error contacts have no custom fields here
        () => admin.contacts.create({ lastName: 'x', ownerId, custom: { tier: 'gold' } }),
        'VALIDATION',
        ['custom', 'tier'],
      );
      await expectNothingWritten(
        admin,
        () => admin.leads.create({ lastName: 'x', company: 'y', ownerId, custom: { score: 101 } }),
        'VALIDATION',
        ['custom', 'score'],
      );
    });

    it('an update merges custom values and validates them', async () => {
      const created = await deal('Merge', { nps: 5, region: 'AMER' });
      const updated = await admin.opportunities.update(created.id, {
        version: created.version,
        custom: { region: 'APAC' },
      });
      expect(updated.custom).toEqual({ nps: 5, region: 'APAC' });
      expect((await admin.opportunities.get(created.id)).custom).toEqual({
        nps: 5,
        region: 'APAC',
      });
      await expectRapportError(
        admin.opportunities.update(created.id, { version: updated.version, custom: { nps: -1 } }),
        'VALIDATION',
        ['custom', 'nps'],
      );
      expect(await admin.opportunities.get(created.id)).toEqual(updated);
    });

    it('are filterable with every operator, numbers compared as numbers', async () => {
      const tenant = (await newTenant(crm())).admin;
      const owner = await tenant.users.create({ name: 'Filter Owner' });
      const values = [
        { nps: 2, region: 'EMEA', competitor: 'Globex' },
        { nps: 9, region: 'AMER', competitor: 'Globotech' },
        { nps: 10, region: 'EMEA', competitor: 'Initech' },
        { region: 'APAC' },
        {},
      ] as const;
      const ids: string[] = [];
      for (const [index, custom] of values.entries()) {
        const created = await tenant.opportunities.create({
          name: `filter-${index}`,
          ownerId: owner.id,
          closeDate: '2026-12-31',
          custom,
        });
        ids.push(created.id);
      }
      const names = async (where: Parameters<typeof tenant.opportunities.list>[0]) =>
        (await tenant.opportunities.list({ ...where, limit: 100 })).items.map((d) => d.name).sort();
      expect(await names({ where: { custom: { nps: { gt: 9 } } } })).toEqual(['filter-2']);
      expect(await names({ where: { custom: { nps: { gte: 9 } } } })).toEqual([
        'filter-1',
        'filter-2',
      ]);
      expect(await names({ where: { custom: { nps: { lt: 9 } } } })).toEqual(['filter-0']);
      expect(await names({ where: { custom: { nps: 10 } } })).toEqual(['filter-2']);
      expect(await names({ where: { custom: { region: 'EMEA' } } })).toEqual([
        'filter-0',
        'filter-2',
      ]);
      expect(await names({ where: { custom: { region: { in: ['AMER', 'APAC'] } } } })).toEqual([
        'filter-1',
        'filter-3',
      ]);
      expect(await names({ where: { custom: { region: { ne: 'EMEA' } } } })).toEqual([
        'filter-1',
        'filter-3',
        'filter-4',
      ]);
      expect(await names({ where: { custom: { nps: null } } })).toEqual(['filter-3', 'filter-4']);
      expect(await names({ where: { custom: { nps: { isNull: false } } } })).toEqual([
        'filter-0',
        'filter-1',
        'filter-2',
      ]);
      expect(await names({ where: { custom: { competitor: { startsWith: 'Glob' } } } })).toEqual([
        'filter-0',
        'filter-1',
      ]);
      expect(
        await names({
          where: { name: { startsWith: 'filter' }, custom: { region: 'EMEA', nps: { lt: 5 } } },
        }),
      ).toEqual(['filter-0']);
      expect(await tenant.opportunities.count({ custom: { region: 'EMEA' } })).toBe(2);
      await expectRapportError(
        // @ts-expect-error bogus is not a custom field
        tenant.opportunities.list({ where: { custom: { bogus: 1 } } }),
        'VALIDATION',
        ['where', 'custom', 'bogus'],
      );
    });

    it('conflicting or misplaced declarations are refused when the engine is made', () => {
      const storage = crm().storage;
      const clash = definePlugin({ id: 'clash', fields: { opportunity: { nps: z.number() } } });
      const attempts = [
        () => createCrm({ storage, plugins: [clash], fields }),
        () => createCrm({ storage, plugins: [scoringPlugin, scoringPlugin] }),
        // @ts-expect-error there is no object called spaceship
        () => createCrm({ storage, fields: { spaceship: { warp: z.number() } } }),
      ];
      for (const attempt of attempts) {
        let caught: unknown;
        try {
          attempt();
        } catch (error) {
          caught = error;
        }
        expect(isRapportError(caught, 'UNSUPPORTED')).toBe(true);
      }
    });
  });
}
