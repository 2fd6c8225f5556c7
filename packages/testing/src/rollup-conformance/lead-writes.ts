import { type CrmScope, defineKpi, definePlugin, kpiSource, measure } from '@rapport/core';
import fc from 'fast-check';

/** @internal Time zones the lead writes run in: with DST, with a half-hour offset, and UTC. */
export const leadZones = ['Europe/Berlin', 'Asia/Kolkata', 'UTC'] as const;

/** Berlin's and Kolkata's local midnights on the first of each month (Berlin: winter, then summer time). */
const monthStarts: Readonly<Record<string, readonly string[]>> = {
  '2026-03-01': ['2026-02-28T23:00:00.000Z', '2026-02-28T18:30:00.000Z'],
  '2026-04-01': ['2026-03-31T22:00:00.000Z', '2026-03-31T18:30:00.000Z'],
  '2026-05-01': ['2026-04-30T22:00:00.000Z', '2026-04-30T18:30:00.000Z'],
  '2026-06-01': ['2026-05-31T22:00:00.000Z', '2026-05-31T18:30:00.000Z'],
};

const shift = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();

/**
 * @internal Creation instants of historical leads: each month start of Berlin (winter and summer
 * time), Kolkata (+05:30) and UTC, a millisecond before it, and mid-month instants, so that a
 * lead near a boundary falls in another month in each zone.
 */
export const leadInstants: readonly string[] = Object.entries(monthStarts).flatMap(([day, zoned]) =>
  [`${day}T00:00:00.000Z`, ...zoned].flatMap((start) => [shift(start, -1), start]),
);

const sources = ['Web', 'Partner', null] as const;

/** @internal Random lead writes, and a change of the tenant's time zone. */
export const leadOp = fc.oneof(
  fc.record({
    kind: fc.constant('lead' as const),
    owner: fc.nat(2),
    source: fc.constantFrom(...sources),
  }),
  {
    // Historical leads near month boundaries: what the zone decides.
    arbitrary: fc.record({
      kind: fc.constant('leadImport' as const),
      count: fc.integer({ min: 1, max: 8 }),
      seed: fc.nat(),
    }),
    weight: 3,
  },
  fc.record({
    kind: fc.constant('leadUpdate' as const),
    pick: fc.nat(),
    owner: fc.option(fc.nat(2), { nil: undefined }),
    source: fc.option(fc.constantFrom(...sources), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('leadConvert' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('leadDelete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('zone' as const), zone: fc.constantFrom(...leadZones) }),
);

/** @internal One lead write (or zone change). */
export type LeadOp = typeof leadOp extends fc.Arbitrary<infer T> ? T : never;

const leadKinds: ReadonlySet<string> = new Set([
  'lead',
  'leadImport',
  'leadUpdate',
  'leadConvert',
  'leadDelete',
  'zone',
]);

/** @internal Whether a step of the suite is a lead write. */
export function isLeadOp(step: { readonly kind: string }): step is LeadOp {
  return leadKinds.has(step.kind);
}

/** @internal What the lead writes need of the suite's world. */
export interface LeadWorld {
  readonly scope: CrmScope;
  readonly owners: readonly string[];
  readonly leads: string[];
}

function at<T>(list: readonly T[], index: number): T {
  const item = list[index % list.length];
  if (item === undefined) throw new Error(`no item ${index} in a list of ${list.length}`);
  return item;
}

/**
 * @internal Applies a lead write: a lead created now, a history import of leads created near
 * month boundaries, an update of owner or source, a conversion (with its opportunity), a
 * delete, or a change of the tenant's time zone.
 */
export async function applyLeadOp(world: LeadWorld, step: LeadOp): Promise<void> {
  const { scope, owners, leads } = world;
  const pick = (n: number) => leads[n % leads.length];
  switch (step.kind) {
    case 'lead': {
      const lead = await scope.leads.create({
        lastName: 'Lead',
        company: 'Lead Ltd',
        ownerId: at(owners, step.owner),
        leadSource: step.source,
      });
      leads.push(lead.id);
      return;
    }
    case 'leadImport': {
      const created = await scope.leads.createMany(
        Array.from({ length: step.count }, (_, i) => ({
          lastName: `Imported ${i}`,
          company: 'Import Ltd',
          ownerId: at(owners, step.seed + i),
          leadSource: at(sources, step.seed + i),
          createdAt: at(leadInstants, step.seed * 5 + i * 7),
        })),
        { history: true },
      );
      leads.push(...created.map((lead) => lead.id));
      return;
    }
    case 'leadUpdate': {
      const id = pick(step.pick);
      if (!id) return;
      const lead = await scope.leads.get(id);
      // A converted lead is frozen (its update is refused): the write sequences change open ones.
      if (lead.convertedAt != null) return;
      await scope.leads.update(id, {
        version: lead.version,
        ...(step.owner === undefined ? {} : { ownerId: at(owners, step.owner) }),
        ...(step.source === undefined ? {} : { leadSource: step.source }),
      });
      return;
    }
    case 'leadConvert': {
      const id = pick(step.pick);
      if (!id) return;
      const lead = await scope.leads.get(id);
      if (lead.convertedAt != null) return;
      await scope.leads.convert(id, { opportunity: { closeDate: '2026-06-30' } });
      return;
    }
    case 'leadDelete': {
      const id = pick(step.pick);
      if (!id) return;
      await scope.leads.delete(id);
      leads.splice(leads.indexOf(id), 1);
      return;
    }
    case 'zone':
      await scope.updateSettings({ timeZone: step.zone });
      return;
  }
}

/** @internal The lead KPIs' declared measures over new leads, which rollups answer. */
export const leadKpiIds = [
  'leads.newLeads',
  'leads.leadToOpportunityRate',
  'leadNames.laterNames',
] as const;

/** Leads by `createdAt` whose last name orders at or after `I`: text order, which only SQL decides. */
const laterNames = kpiSource({
  object: 'lead',
  date: 'createdAt',
  where: { lastName: { gte: 'I' } },
});

/**
 * @internal A plugin whose declared KPI counts new leads under a condition JavaScript does not
 * decide (text order): its rollup is kept through the SQL upkeep path, by the SQL month bucket.
 */
export const leadNamesPlugin = definePlugin({
  id: 'leadNames',
  kpis: [
    defineKpi({
      id: 'leadNames.laterNames',
      group: 'leads',
      title: { en: 'Leads I to Z', de: 'Leads I bis Z' },
      description: 'count of leads created in the period whose last name orders at or after I',
      unit: 'count',
      direction: 'higher',
      dimensions: ['owner', 'team', 'leadSource'],
      measures: { leads: measure.count(laterNames) },
      value: (m) => m.leads,
      sampleSize: (m) => m.leads,
    }),
  ],
});
