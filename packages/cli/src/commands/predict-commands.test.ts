import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm } from '@rapport/core';
import { predictPlugin, seededRandom } from '@rapport/predict';
import { sqliteStorage } from '@rapport/sqlite';
import { importMavenCrm } from '@rapport/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-predict-cli-'));
const db = join(dir, 'crm.sqlite');

/** Runs `rapport` in this process and returns its exit code and output. */
async function rapport(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(['node', 'rapport', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  // The Maven deals, and 400 leads over 80 days of which about half convert (Partner more often).
  let clock = Date.parse('2026-01-05T09:00:00Z');
  const crm = createCrm({
    storage: sqliteStorage({ filename: db }),
    plugins: [predictPlugin()],
    now: () => new Date(clock),
  });
  await crm.migrate();
  await crm.createTenant({ id: 'demo', name: 'Demo', baseCurrency: 'USD', timeZone: 'UTC' });
  const admin = crm.tenant('demo').system();
  await importMavenCrm(admin);
  const rep = await admin.users.create({ name: 'Lea Lead', role: 'rep' });
  const scope = crm.tenant('demo').as({ id: rep.id, role: 'rep' });
  const random = seededRandom(5);
  const outcomes: { id: string; convert: boolean }[] = [];
  for (let day = 0; day < 80; day++) {
    const inputs = Array.from({ length: 5 }, (_, i) => {
      const source = random() < 0.5 ? 'Partner' : 'Web';
      return {
        input: { lastName: `L${day}-${i}`, company: `C${day}-${i}`, leadSource: source },
        convert: random() < (source === 'Partner' ? 0.75 : 0.3),
      };
    });
    const created = await scope.leads.createMany(inputs.map((x) => x.input));
    for (const [i, lead] of created.entries())
      outcomes.push({ id: lead.id, convert: inputs[i]!.convert });
    clock += 86_400_000;
  }
  for (const outcome of outcomes.slice(0, 370)) {
    if (outcome.convert) await scope.leads.convert(outcome.id, { opportunity: false });
    else {
      const lead = await scope.leads.get(outcome.id);
      await scope.leads.update(lead.id, {
        version: lead.version,
        status: 'Closed - Not Converted',
      });
    }
  }
  await crm.destroy();
}, 180_000);

describe('rapport score leads', () => {
  it('--evaluate prints the metrics of the chosen model next to the source baseline', async () => {
    const run = await rapport('score', 'leads', '--evaluate', '--db', db, '--now', '2026-03-30');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/train: 277 leads .* test: 93 newer leads/);
    expect(run.stdout).toContain('baseline: source rate');
    expect(run.stdout).toContain('calibration by deciles');
  });

  it('--evaluate --json gives the figures as data', async () => {
    const run = await rapport(
      'score',
      'leads',
      '--evaluate',
      '--json',
      '--db',
      db,
      '--now',
      '2026-03-30',
    );
    const result = JSON.parse(run.stdout) as {
      status: string;
      model: { auc: number };
      baseline: { auc: number };
    };
    expect(result.status).toBe('evaluated');
    expect(result.model.auc).toBeGreaterThan(0.5);
    expect(result.baseline.auc).toBeGreaterThan(0.5);
  });

  it('scores and stores the 30 open leads, explained in German', async () => {
    const run = await rapport(
      'score',
      'leads',
      '--db',
      db,
      '--lang',
      'de',
      '--limit',
      '3',
      '--now',
      '2026-03-30',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('30 offene Leads bewertet');
    expect(run.stdout).toMatch(/trainiert auf \d+ Leads mit \d+ Konversionen/);
    expect(run.stdout).toMatch(/Lead-Quelle: (Partner|Web) – (erhöht|senkt) die Chance/);
    const json = JSON.parse(
      (await rapport('score', 'leads', '--json', '--db', db, '--now', '2026-03-30')).stdout,
    ) as { modelVersion: number; scores: { probability: number }[] };
    expect(json.modelVersion).toBe(2);
    expect(json.scores).toHaveLength(30);
  });

  it('rejects an unknown target with a usage error', async () => {
    const run = await rapport('score', 'deals', '--db', db);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot score "deals"');
  });
});

describe('rapport forecast', () => {
  it('forecasts a quarter with P10/P50/P90 and the forecast categories', async () => {
    const run = await rapport(
      'forecast',
      '--db',
      db,
      '--period',
      '2017-Q4',
      '--as-of',
      '2017-10-01',
      '--runs',
      '500',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Period: 2017-Q4, as of 2017-10-01');
    expect(run.stdout).toMatch(/forecast categories: pipeline .* closed \$0\.00/);
    const json = JSON.parse(
      (
        await rapport(
          'forecast',
          '--json',
          '--db',
          db,
          '--period',
          '2017-Q4',
          '--as-of',
          '2017-10-01',
          '--runs',
          '500',
        )
      ).stdout,
    ) as { total: { p10: number; p50: number; p90: number } };
    expect(json.total.p10).toBeLessThanOrEqual(json.total.p50);
    expect(json.total.p50).toBeLessThanOrEqual(json.total.p90);
  });

  it('--backtest replays the 2017 quarters with MAPE and coverage', async () => {
    const run = await rapport(
      'forecast',
      '--backtest',
      '--db',
      db,
      '--periods',
      '2017-Q2,2017-Q3',
      '--runs',
      '500',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2017-Q2');
    expect(run.stdout).toContain('2017-Q3');
    expect(run.stdout).toMatch(/MAPE of P50: [\d.,]+ %/);
  });

  it('a bad period is a clear error, not a crash', async () => {
    const run = await rapport('forecast', '--db', db, '--period', 'someday');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/period/i);
  });
});
