/**
 * @internal One writer process of the multi-process proof (issue 12.5): opens the SQLite file,
 * and `updates` times picks a shared account, reads it, and writes its counter + 1 with the
 * version it read. A CONFLICT (stale version, or the write lock lost past the busy timeout) is
 * retried with a fresh read; anything else is counted as a raw error and the writer goes on.
 * Run as `node --import tsx test-shared-record-writer.ts <file> <tenant> <updates> <seed> <ids...>`;
 * prints one JSON line of {@link WriterTally}.
 */
import { argv } from 'node:process';
import { createCrm, isRapportError } from '@rapport/core';
import { sqliteStorage } from '../sqlite-storage.js';

/** @internal What one writer did. */
export interface WriterTally {
  /** Updates that committed. */
  readonly committed: number;
  /** Attempts that failed with CONFLICT and were retried. */
  readonly conflicts: number;
  /** Failures that were not a RapportError CONFLICT: `code: message`. */
  readonly rawErrors: readonly string[];
  /** Committed updates per account id. */
  readonly perRecord: Readonly<Record<string, number>>;
}

/** @internal Runs one writer; see the file comment. */
export async function runWriter(options: {
  readonly filename: string;
  readonly tenantId: string;
  readonly updates: number;
  readonly seed: number;
  readonly ids: readonly string[];
}): Promise<WriterTally> {
  const crm = createCrm({ storage: sqliteStorage({ filename: options.filename }) });
  const scope = crm.tenant(options.tenantId).system();
  let state = options.seed >>> 0 || 1;
  const nextIndex = () => {
    // xorshift32: a reproducible choice of record per writer.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % options.ids.length;
  };
  let committed = 0;
  let conflicts = 0;
  const rawErrors: string[] = [];
  const perRecord: Record<string, number> = {};
  for (let done = 0; done < options.updates; done++) {
    const id = options.ids[nextIndex()] as string;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) {
        rawErrors.push(`gave up on ${id} after 10000 conflicts`);
        break;
      }
      try {
        const read = await scope.accounts.get(id);
        await scope.accounts.update(id, {
          version: read.version,
          numberOfEmployees: (read.numberOfEmployees ?? 0) + 1,
        });
        committed++;
        perRecord[id] = (perRecord[id] ?? 0) + 1;
        break;
      } catch (error) {
        if (isRapportError(error) && error.code === 'CONFLICT') {
          conflicts++;
          continue;
        }
        const code = (error as { code?: unknown } | null)?.code;
        rawErrors.push(`${String(code)}: ${(error as Error).message}`);
        break;
      }
    }
  }
  await crm.destroy();
  return { committed, conflicts, rawErrors, perRecord };
}

const [, script, filename, tenantId, updates, seed, ...ids] = argv;
if (script?.endsWith('shared-record-writer.ts') && filename && tenantId && updates && seed) {
  const tally = await runWriter({
    filename,
    tenantId,
    updates: Number(updates),
    seed: Number(seed),
    ids,
  });
  process.stdout.write(`${JSON.stringify(tally)}\n`);
}
