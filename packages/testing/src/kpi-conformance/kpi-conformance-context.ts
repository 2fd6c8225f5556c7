import {
  type CreateTenantInput,
  type Crm,
  type CrmScope,
  createCrm,
  type MergeCustomFields,
  type RapportStorage,
} from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { afterAll, beforeAll } from 'vitest';
import { z } from 'zod';
import { countQueries, type QueryLog } from './query-counter.js';

/**
 * Options of {@link describeKpiConformance}.
 *
 * @example
 * import { rm } from 'node:fs/promises';
 *
 * const options: KpiConformanceOptions = { cleanup: () => rm('kpi-conformance.sqlite', { force: true }) };
 */
export interface KpiConformanceOptions {
  /** Called after the suite has closed a storage it made, to remove what the factory created. */
  readonly cleanup?: (storage: RapportStorage) => void | Promise<void>;
  /**
   * Runs every case with `createCrm({ rollups: true })`: the same hand-computed values must come
   * out when KPIs read kept rollups instead of the records (default false).
   */
  readonly rollups?: boolean;
}

/** @internal What every group of KPI cases receives. */
export interface KpiConformanceSetup {
  readonly makeStorage: () => RapportStorage | Promise<RapportStorage>;
  readonly options: KpiConformanceOptions;
}

/**
 * The plugins and custom fields the KPI cases run with.
 *
 * @example
 * createCrm({ storage, plugins: kpiCasePlugins, fields: kpiCaseFields });
 */
export const kpiCasePlugins = [closingPlugin, pipelinePlugin] as const;
/**
 * A custom field the cases break down by.
 *
 * @example
 * createCrm({ storage, plugins: kpiCasePlugins, fields: kpiCaseFields });
 */
export const kpiCaseFields = {
  opportunity: { tier: z.enum(['A', 'B']).optional() },
} as const;

type CasePlugins = typeof kpiCasePlugins;
type CaseFields = typeof kpiCaseFields;
/** @internal The scope the cases use. */
export type KpiCaseScope = CrmScope<MergeCustomFields<CasePlugins, CaseFields>, CasePlugins>;

/** @internal A test world: one engine per group with a clock the cases move, a tenant per case. */
export interface KpiCaseWorld {
  readonly crm: () => Crm<CasePlugins, CaseFields>;
  /** Statements the storage ran (reset it before what you measure). */
  readonly log: () => QueryLog;
  /** Sets the engine's clock. */
  at(instant: string): void;
  /** A new tenant (EUR, UTC unless given) and its system scope. */
  tenant(settings?: Partial<Omit<CreateTenantInput, 'id'>>): Promise<KpiCaseScope>;
}

/** @internal Registers hooks that make one migrated engine for the surrounding describe block. */
export function useKpiWorld(setup: KpiConformanceSetup): KpiCaseWorld {
  const clock = { now: new Date('2026-06-15T09:00:00.000Z') };
  let crm: Crm<CasePlugins, CaseFields> | undefined;
  let storage: RapportStorage | undefined;
  let log: QueryLog | undefined;
  let tenants = 0;
  beforeAll(async () => {
    storage = await setup.makeStorage();
    const counted = countQueries(storage);
    log = counted.log;
    crm = createCrm({
      storage: counted.storage,
      plugins: kpiCasePlugins,
      fields: kpiCaseFields,
      now: () => clock.now,
      rollups: setup.options.rollups === true,
    });
    await crm.migrate();
  });
  afterAll(async () => {
    await crm?.destroy();
    if (storage) await setup.options.cleanup?.(storage);
  });
  return {
    crm: () => crm!,
    log: () => log!,
    at(instant) {
      clock.now = new Date(instant);
    },
    async tenant(settings = {}) {
      tenants += 1;
      const id = `kpi-${tenants}-${Math.random().toString(36).slice(2, 8)}`;
      await crm!.createTenant({ id, name: id, baseCurrency: 'EUR', ...settings });
      return crm!.tenant(id).system();
    },
  };
}

/** @internal A deal as the cases describe it. */
export interface CaseDeal {
  readonly owner: string;
  readonly amount: number;
  readonly currency?: string;
  readonly openDate?: string;
  readonly closeDate: string;
  readonly outcome?: 'won' | 'lost' | 'open';
  readonly stage?: string;
  readonly lostReason?: string;
  readonly product?: string;
  readonly leadSource?: string;
  readonly nextStep?: string;
  readonly tier?: 'A' | 'B';
  readonly accountId?: string;
  readonly campaignId?: string;
}

/** @internal Creates a deal through the public API (a line item of `product` when given). */
export async function createDeal(scope: KpiCaseScope, deal: CaseDeal) {
  let opportunity = await scope.opportunities.create({
    name: `${deal.outcome ?? 'open'} ${deal.closeDate} ${deal.amount}`,
    ownerId: deal.owner,
    amount: deal.amount,
    currency: deal.currency,
    openDate: deal.openDate,
    closeDate: deal.closeDate,
    stage: deal.stage,
    leadSource: deal.leadSource,
    nextStep: deal.nextStep,
    custom: deal.tier ? { tier: deal.tier } : {},
    accountId: deal.accountId,
    campaignId: deal.campaignId,
  });
  if (deal.product) {
    await scope.lineItems.create({
      opportunityId: opportunity.id,
      productId: deal.product,
      quantity: 1,
      unitPrice: deal.amount,
    });
    opportunity = await scope.opportunities.get(opportunity.id);
  }
  if (deal.outcome === 'won')
    return scope.opportunities.closeWon(opportunity.id, {
      version: opportunity.version,
      closeDate: deal.closeDate,
    });
  if (deal.outcome === 'lost')
    return scope.opportunities.closeLost(opportunity.id, {
      version: opportunity.version,
      closeDate: deal.closeDate,
      lostReason: deal.lostReason ?? 'Other',
    });
  return opportunity;
}
