import type { RapportStorage } from '@rapport/core';
import { describe } from 'vitest';
import { leadOutcomeCases } from './lead-outcome-cases.js';
import { moneyMedianCases } from './money-median-cases.js';
import { rollupReadCases } from './rollup-read-cases.js';
import { useRollupSuite } from './rollup-suite.js';
import { describeStageHistoryCases } from './stage-history-cases.js';
import { unbuiltRollupCases } from './unbuilt-rollup-cases.js';
import { writeSequenceCases } from './write-sequence-cases.js';
import { zoneChangeCases } from './zone-change-cases.js';

/**
 * Options of {@link describeRollupConformance}.
 *
 * @example
 * const options: RollupConformanceOptions = { runs: 10 };
 */
export interface RollupConformanceOptions {
  /** Called after the suite has closed a storage it made, to remove what the factory created. */
  readonly cleanup?: (storage: RapportStorage) => void | Promise<void>;
  /** Random write sequences per property (default 12). */
  readonly runs?: number;
}

/**
 * Runs the rollup conformance suite against storages made by `makeStorage`: random write
 * sequences (creates, updates that move a deal between days, owners, stages and currencies,
 * deletes, closes, rolled-back transactions, bulk imports, quotas, line item writes that move a
 * deal's main product) after which every rollup equals
 * its recompute, and every dashboard figure read from rollups equals the same figure scanned by
 * an engine without rollups over the same database.
 *
 * @example
 * describeRollupConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
 */
export function describeRollupConformance(
  name: string,
  makeStorage: () => RapportStorage | Promise<RapportStorage>,
  options: RollupConformanceOptions = {},
): void {
  describe(`rollup conformance: ${name}`, () => {
    const suite = useRollupSuite(makeStorage, options);
    leadOutcomeCases(suite.engines, suite.clock, suite.runs);
    writeSequenceCases(suite);
    rollupReadCases(suite);
    moneyMedianCases(suite);
    zoneChangeCases(suite);
    // Last: its last case replaces the rollup table every tenant of this storage shares.
    unbuiltRollupCases(suite);
  });
  describeStageHistoryCases(name, makeStorage, options);
}
