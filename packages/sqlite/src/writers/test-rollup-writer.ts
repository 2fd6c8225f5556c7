/**
 * @internal One writer process of the rollup proof: opens the SQLite file with rollups on and
 * `steps` times creates a deal, or moves a shared one (close date, owner, stage, amount), closes
 * or deletes it, retrying on CONFLICT; every write keeps the rollups in its transaction.
 * Run as `node --import tsx test-rollup-writer.ts <file> <tenant> <steps> <seed> <owners...>`;
 * prints one JSON line of {@link RollupWriterTally}.
 */
import { argv } from 'node:process';
import { createCrm, isRapportError } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { sqliteStorage } from '../sqlite-storage.js';

/** @internal What one writer did. */
export interface RollupWriterTally {
  /** Writes that committed. */
  readonly committed: number;
  /** Attempts that failed with CONFLICT or NOT_FOUND (another writer won) and were skipped. */
  readonly lost: number;
  /** Failures that were not such a RapportError: `code: message`. */
  readonly rawErrors: readonly string[];
}

/** @internal The engine every process of the proof opens: the same plugins, rollups on. */
export function rollupEngine(filename: string) {
  return createCrm({
    storage: sqliteStorage({ filename }),
    plugins: [closingPlugin, pipelinePlugin],
    rollups: true,
  });
}

const days = ['2026-05-20', '2026-06-02', '2026-06-11', '2026-06-29'];
const stages = ['Prospecting', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];

/** @internal Runs one writer; see the file comment. */
export async function runRollupWriter(options: {
  readonly filename: string;
  readonly tenantId: string;
  readonly steps: number;
  readonly seed: number;
  readonly owners: readonly string[];
}): Promise<RollupWriterTally> {
  const crm = rollupEngine(options.filename);
  const scope = crm.tenant(options.tenantId).system();
  let state = options.seed >>> 0 || 1;
  const next = (n: number) => {
    // xorshift32: a reproducible sequence per writer.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const pick = <T>(list: readonly T[]): T => list[next(list.length)] as T;
  let committed = 0;
  let lost = 0;
  const rawErrors: string[] = [];
  for (let step = 0; step < options.steps; step++) {
    try {
      // Two kinds in six create, one deletes: the deals grow, so the file always ends with deals
      // (and cells) to compare, whatever the interleaving.
      const kind = next(6);
      const deals = await scope.opportunities.list({ limit: 20 });
      const deal = deals.items.length > 0 ? pick(deals.items) : undefined;
      if (kind <= 1 || !deal) {
        await scope.opportunities.create({
          name: `w${options.seed}-${step}`,
          ownerId: pick(options.owners),
          amount: next(1000) * 1_00,
          currency: next(2) === 0 ? 'EUR' : 'USD',
          openDate: '2026-05-01',
          closeDate: pick(days),
          stage: pick(stages),
        });
      } else if (kind === 2) {
        await scope.opportunities.update(deal.id, {
          version: deal.version,
          closeDate: pick(days),
          ownerId: pick(options.owners),
        });
      } else if (kind === 3) {
        await scope.opportunities.update(deal.id, {
          version: deal.version,
          stage: pick(stages),
          amount: next(1000) * 1_00,
        });
      } else if (kind === 4) {
        if (deal.status === 'open')
          await scope.opportunities.closeWon(deal.id, { version: deal.version });
        // A closed deal reopens: it moves back out of the closed deals' cells.
        else
          await scope.opportunities.update(deal.id, {
            version: deal.version,
            stage: 'Prospecting',
          });
      } else {
        await scope.opportunities.delete(deal.id, { version: deal.version });
      }
      committed++;
    } catch (error) {
      if (isRapportError(error) && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND')) {
        lost++;
        continue;
      }
      const code = (error as { code?: unknown } | null)?.code;
      rawErrors.push(`${String(code)}: ${(error as Error).message}`);
    }
  }
  await crm.destroy();
  return { committed, lost, rawErrors };
}

const [, script, filename, tenantId, steps, seed, ...owners] = argv;
if (script?.endsWith('rollup-writer.ts') && filename && tenantId && steps && seed) {
  const tally = await runRollupWriter({
    filename,
    tenantId,
    steps: Number(steps),
    seed: Number(seed),
    owners,
  });
  process.stdout.write(`${JSON.stringify(tally)}\n`);
}
