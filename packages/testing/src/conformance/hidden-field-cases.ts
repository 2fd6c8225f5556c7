import {
  type CrmRecord,
  createCrm,
  defineKpi,
  definePlugin,
  kpiSource,
  measure,
  type RapportEvents,
  standardObjects,
} from '@rapport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectRapportError,
  newTenant,
  seedSalesTeam,
  useCrm,
} from './conformance-context.js';

/** A lead's hidden fields: what it keeps of its converted deal, for the KPI engine only. */
const hidden = [
  'convertedOpportunityStatus',
  'convertedOpportunityAmount',
  'convertedOpportunityCurrency',
] as const;

/** Asserts that a record a scope, a hook or an event handed out holds none of the hidden fields. */
function expectNoHidden(record: object | undefined): void {
  expect(record).toBeDefined();
  for (const field of hidden) expect(record).not.toHaveProperty(field);
}

/**
 * @internal Hidden fields (a lead's converted deal status, amount and currency): stored and kept
 * by the engine, but absent from every read, hook and event, and refused in filters and sorts,
 * for a rep who may read the lead but not its deal, and for an admin too.
 */
export function hiddenFieldCases(setup: ConformanceSetup): void {
  describe('hidden fields: a lead keeps its converted deal outcome out of sight', () => {
    const hooked: { name: string; record: object }[] = [];
    const crm = useCrm(setup, {
      hooks: {
        lead: {
          beforeUpdate: ({ data, previous }) => {
            hooked.push({ name: 'beforeUpdate.data', record: data });
            hooked.push({ name: 'beforeUpdate.previous', record: previous });
            // A hook cannot set what it cannot see: this must not reach the stored row. Cast: the
            // hook's result type has no hidden field; untyped plugin code could return one anyway.
            if (data.phone === 'forge') return { convertedOpportunityStatus: 'lost' } as never;
            return undefined;
          },
          afterUpdate: ({ record, previous }) => {
            hooked.push({ name: 'afterUpdate.record', record });
            hooked.push({ name: 'afterUpdate.previous', record: previous });
          },
        },
      },
    });
    let admin: AnyScope;
    let rep: AnyScope;
    let tenantId: string;
    let lead: CrmRecord<'lead'>;
    let dealId: string;
    let ownerId: string;
    let convertedLead: CrmRecord<'lead'>;
    const events: RapportEvents['record.updated'][] = [];
    const onUpdated = (event: RapportEvents['record.updated']) => {
      if (event.tenantId === tenantId && event.object === 'lead') events.push(event);
    };

    /** The hidden values as stored, read below the record API (the scoped query layer). */
    const stored = async (id: string) =>
      (await admin.from('lead'))
        .select(['t.convertedOpportunityStatus', 't.convertedOpportunityAmount'])
        .where('t.id', '=', id)
        .executeTakeFirstOrThrow();

    beforeAll(async () => {
      const tenant = await newTenant(crm());
      admin = tenant.admin;
      tenantId = tenant.id;
      const team = await seedSalesTeam(admin);
      ownerId = team.repA.id;
      rep = crm().tenant(tenantId).as({ id: team.repA.id, role: 'rep' });
      const created = await admin.leads.create({
        lastName: 'Hidden',
        company: 'Initech',
        ownerId: team.repA.id,
      });
      const converted = await admin.leads.convert(created.id, {
        opportunity: { amount: 7_000_00 },
      });
      convertedLead = converted.lead;
      const deal = converted.opportunity;
      if (!deal) throw new Error('the conversion made no deal');
      dealId = deal.id;
      // The deal moves to another rep and is won: repA still reads the lead, not the deal.
      const moved = await admin.opportunities.update(deal.id, {
        version: deal.version,
        ownerId: team.repC.id,
      });
      await admin.opportunities.closeWon(deal.id, { version: moved.version });
      lead = await admin.leads.get(created.id);
      crm().events.on('record.updated', onUpdated);
    });
    afterAll(() => crm().events.off('record.updated', onUpdated));

    it('the engine keeps the lead outcome on the stored row', async () => {
      expect(await stored(lead.id)).toMatchObject({
        convertedOpportunityStatus: 'won',
        convertedOpportunityAmount: 7_000_00,
      });
      await expectRapportError(rep.opportunities.get(dealId), 'NOT_FOUND');
    });

    it('lead reads (get, find, list) return none of the hidden fields, for a rep and an admin', async () => {
      for (const scope of [rep, admin]) {
        const got = await scope.leads.get(lead.id);
        expect(got.convertedOpportunityId).toBe(dealId);
        expectNoHidden(got);
        expectNoHidden(await scope.leads.find(lead.id));
        const page = await scope.leads.list({ where: { id: lead.id } });
        expect(page.items).toHaveLength(1);
        expectNoHidden(page.items[0]);
      }
    });

    it('lead writes (create, update, createMany, upsert, convert) return none of the hidden fields', async () => {
      expectNoHidden(await rep.leads.create({ lastName: 'Fresh', company: 'Initrode' }));
      // A converted lead is frozen but for the person's own fields, which an admin may correct.
      const updated = await admin.leads.update(lead.id, { version: lead.version, phone: '+49 1' });
      expect(updated.phone).toBe('+49 1');
      expect(updated.convertedOpportunityId).toBe(dealId);
      expectNoHidden(updated);
      const [many] = await admin.leads.createMany([
        { lastName: 'Many', company: 'Initrode', ownerId },
      ]);
      expectNoHidden(many);
      expectNoHidden(convertedLead);
      const upserted = await admin.leads.upsert({
        externalId: 'hidden-upsert',
        lastName: 'Upsert',
        company: 'Initrode',
        ownerId,
      });
      expectNoHidden(upserted.record);
      lead = updated;
      expect(await stored(lead.id)).toMatchObject({ convertedOpportunityStatus: 'won' });
    });

    it('a lead filter or sort on a hidden field is refused as an unknown field, for a rep and an admin', async () => {
      for (const scope of [rep, admin]) {
        for (const field of hidden) {
          const error = await expectRapportError(
            scope.leads.list({ where: { [field]: { isNull: false } } }),
            'VALIDATION',
            ['where', field],
          );
          expect(error.message).toContain(field);
          await expectRapportError(scope.leads.count({ [field]: null }), 'VALIDATION', [
            'where',
            field,
          ]);
          await expectRapportError(
            // Cast: a hidden field is no sort field of the record type; the engine must refuse it too.
            scope.leads.list({ orderBy: { field: field as 'id' } }),
            'VALIDATION',
            ['orderBy', 'field'],
          );
        }
      }
      // The same refusal as a field that does not exist; neither compiles as a filter either.
      await expectRapportError(
        // @ts-expect-error not a field of a lead
        rep.leads.list({ where: { noSuchField: 'won' } }),
        'VALIDATION',
        ['where', 'noSuchField'],
      );
      await expectRapportError(
        // @ts-expect-error a hidden field is not a field of the record type either
        rep.leads.list({ where: { convertedOpportunityStatus: 'won' } }),
        'VALIDATION',
        ['where', 'convertedOpportunityStatus'],
      );
    });

    it('lead hooks and record events get the lead without its hidden fields', async () => {
      hooked.length = 0;
      events.length = 0;
      const current = await admin.leads.get(lead.id);
      const updated = await admin.leads.update(lead.id, {
        version: current.version,
        phone: 'forge',
      });
      expect(hooked.map((entry) => entry.name)).toEqual([
        'beforeUpdate.data',
        'beforeUpdate.previous',
        'afterUpdate.record',
        'afterUpdate.previous',
      ]);
      for (const entry of hooked) expectNoHidden(entry.record);
      const event = events.find((entry) => entry.record.id === lead.id);
      expect(event?.record.phone).toBe('forge');
      expectNoHidden(event?.record);
      expectNoHidden(event?.previous);
      // The hook's attempt to set a hidden field changed nothing the engine keeps.
      expect(await stored(lead.id)).toMatchObject({ convertedOpportunityStatus: 'won' });
      lead = updated;
    });

    it('a change of the deal the rep cannot see moves nothing she reads of the lead, its version included', async () => {
      const before = await rep.leads.get(lead.id);
      const deal = await admin.opportunities.get(dealId);
      // Reopened with another amount and currency: every kept field moves, on the stored row only.
      await admin.opportunities.update(dealId, {
        version: deal.version,
        stage: 'Prospecting',
        amount: 8_500_00,
      });
      expect(await stored(lead.id)).toMatchObject({
        convertedOpportunityStatus: 'open',
        convertedOpportunityAmount: 8_500_00,
      });
      expect(await rep.leads.get(lead.id)).toEqual(before);
      // And an admin's correction with the version she read still lands (no CONFLICT).
      const corrected = await admin.leads.update(lead.id, {
        version: before.version,
        phone: '+49 2',
      });
      expect(corrected.phone).toBe('+49 2');
      lead = corrected;
    });

    it('a KPI figure over a hidden field answers only an actor who sees every deal: declared KPIs may not read one, rolled-up measures answer no one else', async () => {
      const leads = kpiSource({ object: 'lead', date: 'createdAt' });
      const wonLeads = measure.count(leads, { convertedOpportunityStatus: 'won' });
      const info = {
        group: 'test',
        title: { en: 'Won leads', de: 'Gewonnene Leads' },
        description: 'leads whose converted deal is won',
        unit: 'count',
        direction: 'higher',
        dimensions: ['owner'],
      } as const;
      const declared = defineKpi({
        ...info,
        id: 'test.wonLeadsDeclared',
        measures: { won: wonLeads },
        value: ({ won }) => won,
      });
      const storage = crm().storage;
      expect(() =>
        createCrm({ storage, plugins: [definePlugin({ id: 'test-declared', kpis: [declared] })] }),
      ).toThrow(/convertedOpportunityStatus, a hidden field of lead/);
      // A query KPI that forgets to check who asks: the engine checks for it.
      const careless = defineKpi({
        ...info,
        id: 'test.wonLeadsRolledUp',
        rollupMeasures: { won: wonLeads },
        async query(ctx) {
          const rows = await ctx.rolledUp({ won: wonLeads });
          return (rows ?? []).map((row) => ({ ...row, value: row.values.won ?? 0, sampleSize: 1 }));
        },
      });
      // Not destroyed: it shares the suite's storage (and connection).
      const kept = createCrm({
        storage,
        plugins: [definePlugin({ id: 'test-rolled-up', kpis: [careless] })],
        rollups: true,
      });
      await kept.rebuildRollups({ tenantId });
      const evaluate = (scope: 'admin' | 'rep') =>
        (scope === 'admin'
          ? kept.tenant(tenantId).system()
          : kept.tenant(tenantId).as({ id: ownerId, role: 'rep' })
        ).kpis.evaluate(['test.wonLeadsRolledUp'], { period: 'all' });
      const forAdmin = await evaluate('admin');
      expect(forAdmin['test.wonLeadsRolledUp'].value).toBeGreaterThanOrEqual(0);
      const forRep = await evaluate('rep');
      expect(forRep['test.wonLeadsRolledUp'].value).toBeNull();
    });

    it('hidden lead fields are declared read-only, and only lead fields are hidden', () => {
      const leadObject = standardObjects.lead;
      expect(leadObject.hiddenFields).toEqual(hidden);
      for (const field of hidden) expect(leadObject.readonlyFields).toContain(field);
      expect(leadObject.hiddenFields).not.toContain('firstActivityAt');
    });
  });
}
