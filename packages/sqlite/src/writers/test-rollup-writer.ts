/**
 * @internal One writer process of the rollup proof: opens the SQLite file with rollups on and
 * `steps` times creates a deal, or moves a shared one (close date, owner, stage, amount), closes
 * or deletes it, or adds or deletes one of its line items (which moves its main product), retrying
 * on CONFLICT; every write keeps the rollups in its transaction.
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
  const products = (await scope.products.list({ limit: 10 })).items.map((product) => product.id);
  for (let step = 0; step < options.steps; step++) {
    try {
      // Two kinds in eight create, one deletes: the deals grow, so the file always ends with deals
      // (and cells) to compare, whatever the interleaving.
      const kind = next(8);
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
          // A deal with line items (so a main product) has their sum as its amount.
          ...(deal.mainProductId ? {} : { amount: next(1000) * 1_00 }),
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
      } else if (kind === 5) {
        await scope.opportunities.delete(deal.id, { version: deal.version });
      } else if (kind === 6 && products.length > 0) {
        await scope.lineItems.create({
          opportunityId: deal.id,
          productId: pick(products),
          quantity: 1 + next(3),
          unitPrice: (1 + next(500)) * 1_00,
        });
      } else {
        const items = await scope.lineItems.list({ where: { opportunityId: deal.id } });
        if (items.items.length > 0) await scope.lineItems.delete(pick(items.items).id);
      }
      committed++;
    } catch (error) {
      // Another writer moved the deal first: it changed (CONFLICT), went (NOT_FOUND, or a line
      // item that references no deal), or got line items after it was read (its amount is theirs).
      const lostRace =
        isRapportError(error) &&
        (error.code === 'CONFLICT' ||
          error.code === 'NOT_FOUND' ||
          error.issues.some(
            (issue) => issue.code === 'unknown_reference' || issue.code === 'has_line_items',
          ));
      if (lostRace) {
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
