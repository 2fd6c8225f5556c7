import {
  type Actor,
  type AnyRapportPlugin,
  type Crm,
  createCrm,
  type KpiEvaluateOptions,
  type RapportStorage,
} from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { leadsPlugin } from '@rapport/kpi-leads';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { afterAll, beforeAll } from 'vitest';
import { countQueries, type QueryLog } from '../kpi-conformance/query-counter.js';
import { leadNamesPlugin } from './lead-writes.js';

/** @internal The plugins every engine of the suite runs. */
export const plugins = [closingPlugin, pipelinePlugin, leadsPlugin, leadNamesPlugin] as const;
/** @internal An engine with the suite's plugins. */
export type Engine = Crm<typeof plugins>;
/** @internal A system scope of such an engine. */
export type Scope = ReturnType<ReturnType<Engine['tenant']>['system']>;

/** @internal The declared dashboard KPIs the comparisons read. */
export const dashboard = [
  'closing.winRate',
  'closing.wonRevenue',
  'closing.averageDealSize',
  'closing.averageSalesCycle',
  'closing.medianSalesCycle',
  'closing.medianDealSize',
  'closing.quotaAttainment',
  'pipeline.expectedCloseVolume',
  'pipeline.openCount',
  'pipeline.weightedValue',
] as const;

/** @internal Evaluates KPIs of a list of views whose ids and breakdowns vary (the typed API checks each). */
export function evaluate(
  engine: Engine,
  tenantId: string,
  actor: Actor,
  ids: readonly string[],
  options: KpiEvaluateOptions<string>,
) {
  const { kpis } = engine.tenant(tenantId).as(actor);
  // Erased on purpose: each view pairs ids with a breakdown they all support (the engine checks).
  return kpis.evaluate(ids as never, options as never);
}

/** @internal The system actor (an admin). */
export const system = { id: 'system', role: 'admin' } as const;

/** @internal Results without what may legitimately differ between two engines (nothing, today). */
export function strip(results: unknown): unknown {
  return JSON.parse(JSON.stringify(results));
}

/**
 * @internal Registers the hooks that make one storage and two engines over it with `plugins`: one
 * keeping rollups, one scanning the same database (what every figure must equal), both on
 * `clock`, their statements counted. Returns getters for the engines and the storage.
 */
export function useRollupEngines<const TPlugins extends readonly AnyRapportPlugin[]>(
  makeStorage: () => RapportStorage | Promise<RapportStorage>,
  cleanup: ((storage: RapportStorage) => unknown) | undefined,
  enginePlugins: TPlugins,
  clock: { readonly now: Date },
) {
  let storage: RapportStorage | undefined;
  let made: { kept: Crm<TPlugins>; scanned: Crm<TPlugins>; log: QueryLog } | undefined;
  beforeAll(async () => {
    storage = await makeStorage();
    const counted = countQueries(storage);
    const now = () => clock.now;
    made = {
      kept: createCrm({ storage: counted.storage, plugins: enginePlugins, now, rollups: true }),
      scanned: createCrm({ storage: counted.storage, plugins: enginePlugins, now }),
      log: counted.log,
    };
    await made.kept.migrate();
  });
  afterAll(async () => {
    await made?.kept.destroy();
    if (storage) await cleanup?.(storage);
  });
  return {
    engines: () => {
      if (!made) throw new Error('the engines are made in beforeAll');
      return made;
    },
    storageOf: async () => {
      if (!storage) throw new Error('the storage is made in beforeAll');
      return storage;
    },
  };
}
