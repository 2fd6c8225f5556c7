import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { expect, it } from 'vitest';
import { sqliteStorage } from '../sqlite-storage.js';
import { type RollupWriterTally, rollupEngine } from './test-rollup-writer.js';

const writerScript = fileURLToPath(new URL('./test-rollup-writer.ts', import.meta.url));
const rootTsconfig = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

function runChild(args: readonly string[]): Promise<RollupWriterTally> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, ...args], {
      env: { ...process.env, TSX_TSCONFIG_PATH: rootTsconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`writer exited ${code}: ${err}`));
      // The child prints one JSON line of its tally.
      else resolve(JSON.parse(line) as RollupWriterTally);
    });
  });
}

const processes = 4;
const steps = process.env.RAPPORT_WRITERS_FULL === '1' ? 150 : 30;

it(`${processes} processes x ${steps} writes on one SQLite file keep the rollups equal to a recompute`, async () => {
  const directory = mkdtempSync(join(tmpdir(), 'rapport-rollup-writers-'));
  const filename = join(directory, 'rollups.sqlite');
  try {
    const setup = rollupEngine(filename);
    await setup.migrate();
    await setup.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR' });
    const admin = setup.tenant('acme').system();
    await admin.currencies.setRate('USD', 0.92);
    const owners: string[] = [];
    for (const name of ['Ana', 'Ben', 'Cy']) owners.push((await admin.users.create({ name })).id);
    for (const name of ['Basic', 'Plus', 'Cloud']) await admin.products.create({ name });
    await setup.destroy();
    const tallies = await Promise.all(
      Array.from({ length: processes }, (_, index) =>
        runChild([filename, 'acme', String(steps), String(index + 1), ...owners]),
      ),
    );
    expect(tallies.flatMap((tally) => tally.rawErrors)).toEqual([]);
    const committed = tallies.reduce((sum, tally) => sum + tally.committed, 0);
    expect(committed).toBeGreaterThan(processes * steps * 0.5);
    const kept = rollupEngine(filename);
    const [report] = await kept.checkRollups({ tenantId: 'acme' });
    expect(report?.cells).toBeGreaterThan(0);
    expect(report?.differences).toEqual([]);
    const scanned = createCrm({
      storage: sqliteStorage({ filename }),
      plugins: [closingPlugin, pipelinePlugin],
    });
    const ids = ['closing.winRate', 'closing.wonRevenue', 'pipeline.expectedCloseVolume'] as const;
    expect(await kept.tenant('acme').system().kpis.evaluate(ids, { period: '2026-06' })).toEqual(
      await scanned.tenant('acme').system().kpis.evaluate(ids, { period: '2026-06' }),
    );
    const byOwner = { period: '2026-Q2', by: 'owner' } as const;
    expect(await kept.tenant('acme').system().kpis.evaluate(ids, byOwner)).toEqual(
      await scanned.tenant('acme').system().kpis.evaluate(ids, byOwner),
    );
    // The main product, moved by the writers' line items.
    const byProduct = { period: '2026-Q2', by: 'product' } as const;
    expect(await kept.tenant('acme').system().kpis.evaluate(ids, byProduct)).toEqual(
      await scanned.tenant('acme').system().kpis.evaluate(ids, byProduct),
    );
    await kept.destroy();
    await scanned.destroy();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}, 180_000);
