import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, test } from 'vitest';
import { bin, ok, type Rapport, rapportIn } from './test-binary.js';

// A company's history in, end to end, through the built binary only: the MavenTech CRM sample
// (Maven Analytics, public domain) imported with each deal's own dates and its stage history from
// the same export, with the commands a user types. Every figure is computed here from the CSV, and
// checked against the figures published for the data set (packages/sample-data/fixtures/maven-crm).
const config = fileURLToPath(new URL('../fixtures/maven-history/', import.meta.url));
const data = fileURLToPath(new URL('../../sample-data/fixtures/maven-crm/', import.meta.url));

/** The user's folder: the export's files and the project's rapport.config.json. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-maven-history-'));
  for (const file of ['sales_pipeline.csv', 'accounts.csv', 'sales_teams.csv']) {
    cpSync(join(data, file), join(dir, file));
  }
  cpSync(config, dir, { recursive: true });
  return dir;
}

interface KpiJson {
  readonly value: number | null;
  readonly sampleSize: number;
  readonly breakdown?: readonly { key: string | null; value: number | null; sampleSize: number }[];
}

async function kpi(run: Rapport, ...args: string[]) {
  const result = await run('kpi', ...args, '--period', 'all', '--json');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, KpiJson>;
}

/** Every step a user types, for one deals file (the whole export, or a part of it). */
async function importDeals(run: Rapport, deals: string) {
  const out = [
    await ok(run, 'import', 'opportunities', deals, '--mapping', 'maven-deals', '--history'),
    await ok(run, 'import', 'stage-history', deals, '--mapping', 'maven-engaged'),
    await ok(run, 'import', 'stage-history', deals, '--mapping', 'maven-closed'),
  ];
  return out.join('');
}

async function importPeople(run: Rapport) {
  await ok(run, 'import', 'users', 'users.csv');
  await ok(run, 'import', 'users', 'sales_teams.csv', '--mapping', 'maven-agents');
  await ok(run, 'import', 'accounts', 'accounts.csv', '--mapping', 'maven-accounts');
}

async function figures(run: Rapport) {
  const all = await kpi(run, 'closing.winRate', 'closing.averageSalesCycle');
  const byProduct = (await kpi(run, 'closing.winRate', '--by', 'custom.product'))[
    'closing.winRate'
  ];
  const byStage = await kpi(
    run,
    'pipeline.stageConversion',
    'pipeline.averageTimeInStage',
    '--by',
    'stage',
  );
  const group = (id: string, key: string) =>
    byStage[id]?.breakdown?.find((entry) => entry.key === key);
  return {
    winRate: all['closing.winRate'],
    cycle: all['closing.averageSalesCycle'],
    byProduct: Object.fromEntries(
      (byProduct?.breakdown ?? []).map((g) => [g.key, { value: g.value, n: g.sampleSize }]),
    ),
    engagedConversion: group('pipeline.stageConversion', 'Engaging'),
    engagedDays: group('pipeline.averageTimeInStage', 'Engaging'),
  };
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build with npm run build`);
});

describe('MavenTech CRM: deals with their own dates and stage history, through rapport import', {
  timeout: 600_000,
}, () => {
  const rows = parse(readFileSync(join(data, 'sales_pipeline.csv')), {
    columns: true,
  }) as Record<string, string>[];
  const closed = rows.filter((r) => r.deal_stage === 'Won' || r.deal_stage === 'Lost');
  const won = closed.filter((r) => r.deal_stage === 'Won');
  const day = (text: string | undefined) => Date.parse(`${text}T00:00:00Z`) / 86_400_000;
  const product = (r: Record<string, string>) => (r.product === 'GTXPro' ? 'GTX Pro' : r.product);
  const engaged = rows.filter((r) => r.engage_date !== '');
  const expected = {
    winRate: won.length / closed.length,
    cycle:
      closed.reduce((sum, r) => sum + day(r.close_date) - day(r.engage_date), 0) / closed.length,
    byProduct: Object.fromEntries(
      [...new Set(closed.map(product))].map((name) => {
        const group = closed.filter((r) => product(r) === name);
        const wins = group.filter((r) => r.deal_stage === 'Won').length;
        return [name, { value: wins / group.length, n: group.length }];
      }),
    ),
    // Of the deals that entered Engaging, the share that moved on to Won (not Lost).
    engagedConversion: won.length / engaged.length,
  };

  test('win rate, sales cycle, stage conversion and time in stage as published; imported twice changes nothing', async () => {
    // The published figures (Maven Analytics' data, recomputed in the fixture's README).
    expect([won.length, closed.length]).toEqual([4238, 6711]);
    expect(expected.winRate).toBeCloseTo(0.6315, 4);
    expect(expected.cycle).toBeCloseTo(47.99, 2);

    const run = rapportIn(workspace());
    await importPeople(run);
    const first = await importDeals(run, 'sales_pipeline.csv');
    expect(first).toContain(`8800 rows, 8800 created`);
    expect(first).toContain(`${engaged.length} changes created`);
    expect(first).toContain(`${rows.length - engaged.length} rows without a stage skipped`);
    const result = await figures(run);
    expect(result.winRate?.value).toBe(expected.winRate);
    expect(result.winRate?.sampleSize).toBe(closed.length);
    expect(result.cycle?.value).toBeCloseTo(expected.cycle, 9);
    expect(result.byProduct).toEqual(expected.byProduct);
    // From the imported stage history: entries into Engaging dated by each deal's engage date,
    // left at its close date.
    expect(result.engagedConversion).toMatchObject({
      value: expected.engagedConversion,
      sampleSize: engaged.length,
    });
    expect(result.engagedDays?.value).toBeCloseTo(expected.cycle, 9);
    expect(result.engagedDays?.sampleSize).toBe(closed.length);

    // The same export again: nothing is created or rewritten, the figures stay.
    const again = await importDeals(run, 'sales_pipeline.csv');
    expect(again).toContain('8800 rows, 0 created, 8800 existing');
    expect(again).not.toMatch(/[1-9]\d* changes created/);
    expect(again).not.toMatch(/[1-9]\d* rewritten/);
    expect(await figures(run)).toEqual(result);
  });

  test('imported in two halves: the same figures as in one', async () => {
    const dir = workspace();
    const run = rapportIn(dir);
    const lines = readFileSync(join(dir, 'sales_pipeline.csv'), 'utf8').trim().split(/\r?\n/);
    const middle = Math.ceil((lines.length - 1) / 2);
    writeFileSync(
      join(dir, 'first.csv'),
      `${[lines[0], ...lines.slice(1, middle + 1)].join('\n')}\n`,
    );
    writeFileSync(
      join(dir, 'second.csv'),
      `${[lines[0], ...lines.slice(middle + 1)].join('\n')}\n`,
    );
    await importPeople(run);
    await importDeals(run, 'first.csv');
    await importDeals(run, 'second.csv');
    const result = await figures(run);
    expect(result.winRate?.value).toBe(expected.winRate);
    expect(result.byProduct).toEqual(expected.byProduct);
    expect(result.engagedConversion?.value).toBe(expected.engagedConversion);
    expect(result.engagedDays?.value).toBeCloseTo(expected.cycle, 9);
  });

  test('an unknown deal in a stage history file is refused with its line, and nothing is written', async () => {
    const dir = workspace();
    const run = rapportIn(dir);
    await importPeople(run);
    await ok(
      run,
      'import',
      'opportunities',
      'sales_pipeline.csv',
      '--mapping',
      'maven-deals',
      '--history',
    );
    const lines = readFileSync(join(dir, 'sales_pipeline.csv'), 'utf8').trim().split(/\r?\n/);
    writeFileSync(
      join(dir, 'history.csv'),
      `${[lines[0], lines[1], 'NOSUCHID,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054', ...lines.slice(2, 50)].join('\n')}\n`,
    );
    const bad = await run('import', 'stage-history', 'history.csv', '--mapping', 'maven-engaged');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('history.csv:3: column "opportunity_id" (opportunityId)');
    expect(bad.stderr).toContain('NOSUCHID');
    expect(bad.stderr).toContain('1 row rejected; nothing was imported');
    // Nothing written: the only entries into open stages are those of the deals' creation, one
    // per deal still open (the import would have added one per engaged deal).
    const entries = (await kpi(run, 'pipeline.stageConversion'))['pipeline.stageConversion'];
    expect(entries?.sampleSize).toBe(rows.length - closed.length);
  });
});
