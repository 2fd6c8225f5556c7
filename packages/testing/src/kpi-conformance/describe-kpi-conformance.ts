import type { RapportStorage } from '@rapport/core';
import { describe } from 'vitest';
import { closingCases } from './closing-cases.js';
import { engineCases } from './engine-cases.js';
import { fusionCases } from './fusion-cases.js';
import type { KpiConformanceOptions, KpiConformanceSetup } from './kpi-conformance-context.js';
import { pipelineCases } from './pipeline-cases.js';
import { propertyCases } from './property-cases.js';
import { visibilityCases } from './visibility-cases.js';

/**
 * Runs the KPI conformance suite: the closing and pipeline KPIs on hand-made data sets whose values
 * are worked out by hand (including empty periods, currencies, time zones, visibility), fusion
 * (how many queries a dashboard costs), visibility (a rep's KPIs of all four plugins equal those
 * over only her records) and property tests, against storages made by
 * `makeStorage`. Every adapter runs it, so KPIs are the same on SQLite and Postgres.
 *
 * @example
 * // packages/sqlite/src/sqlite-kpi.test.ts
 * import { describeKpiConformance } from '@rapport/testing';
 * describeKpiConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
 */
export function describeKpiConformance(
  name: string,
  makeStorage: () => RapportStorage | Promise<RapportStorage>,
  options: KpiConformanceOptions = {},
): void {
  const setup: KpiConformanceSetup = { makeStorage, options };
  describe(`KPI conformance: ${name}${options.rollups ? ' (rollups)' : ''}`, () => {
    closingCases(setup);
    pipelineCases(setup);
    fusionCases(setup);
    engineCases(setup);
    propertyCases(setup);
    visibilityCases(setup);
  });
}
