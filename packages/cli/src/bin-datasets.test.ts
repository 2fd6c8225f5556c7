import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, test } from 'vitest';
import { bin, rapportIn } from './test-binary.js';

// End to end on public data sets, through the built binary only, with the commands a user types
// in a folder holding the data set and its rapport.config.json. Every figure asserted is computed
// here from the CSV itself, not copied from Rapport's output.
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A fresh copy of a fixture folder: the user's working directory. */
function workspace(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rapport-${name}-`));
  cpSync(join(fixtures, name), dir, { recursive: true });
  return dir;
}

interface KpiJson {
  readonly value: number | null;
  readonly sampleSize: number;
  readonly breakdown?: readonly { key: string | null; value: number | null; sampleSize: number }[];
}

async function kpi(run: ReturnType<typeof rapportIn>, ...args: string[]) {
  const result = await run('kpi', ...args, '--json');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, KpiJson>;
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build with npm run build`);
});

// Each command is a new Node process on a shared machine: generous limits, no timing asserted.
describe('IBM Telco customer churn: churn overall and by contract type', {
  timeout: 300_000,
}, () => {
  const rows = parse(readFileSync(join(fixtures, 'telco-churn', 'customers.csv')), {
    columns: true,
  }) as Record<string, string>[];
  const churned = (list: Record<string, string>[]) => list.filter((r) => r.Churn === 'Yes').length;
  const contracts = [...new Set(rows.map((r) => r.Contract as string))];
  const expected = {
    overall: churned(rows) / rows.length,
    byContract: Object.fromEntries(
      contracts.map((c) => {
        const group = rows.filter((r) => r.Contract === c);
        return [c, { value: churned(group) / group.length, n: group.length }];
      }),
    ),
  };

  async function importAll(run: ReturnType<typeof rapportIn>, file = 'customers.csv') {
    for (const args of [
      ['import', 'users', 'users.csv'],
      ['import', 'accounts', file, '--mapping', 'telco-accounts'],
      ['import', 'contracts', file, '--mapping', 'telco-contracts'],
    ]) {
      const result = await run(...args);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  }

  async function figures(run: ReturnType<typeof rapportIn>) {
    const total = (await kpi(run, 'aftersales.churnRate', '--period', '2025-06'))[
      'aftersales.churnRate'
    ];
    const by = (
      await kpi(run, 'aftersales.churnRate', '--period', '2025-06', '--by', 'custom.contract')
    )['aftersales.churnRate'];
    return { total, by };
  }

  test('the published way of counting: churned customers / customers, overall and per contract', async () => {
    const dir = workspace('telco-churn');
    const run = rapportIn(dir);
    await importAll(run);
    const { total, by } = await figures(run);
    expect(total?.value).toBe(expected.overall);
    expect(total?.sampleSize).toBe(rows.length);
    const groups = Object.fromEntries(
      (by?.breakdown ?? []).map((g) => [g.key, { value: g.value, n: g.sampleSize }]),
    );
    expect(groups).toEqual(expected.byContract);
    // The subsample keeps the data set's pattern: month-to-month customers leave most.
    expect(groups['Month-to-month']!.value).toBeGreaterThan(groups['One year']!.value ?? 0);

    // Imported twice: nothing changes.
    const again = await run('import', 'accounts', 'customers.csv', '--mapping', 'telco-accounts');
    expect(again.stdout).toContain(`${rows.length} rows, 0 created, ${rows.length} existing`);
    const contractsAgain = await run(
      'import',
      'contracts',
      'customers.csv',
      '--mapping',
      'telco-contracts',
    );
    expect(contractsAgain.stdout).toContain('0 created');
    expect(await figures(run)).toEqual({ total, by });
  });

  test('imported in two halves: the same figures as in one', async () => {
    const dir = workspace('telco-churn');
    const run = rapportIn(dir);
    const lines = readFileSync(join(dir, 'customers.csv'), 'utf8').trim().split('\n');
    const middle = Math.ceil((lines.length - 1) / 2);
    writeFileSync(
      join(dir, 'first.csv'),
      `${[lines[0], ...lines.slice(1, middle + 1)].join('\n')}\n`,
    );
    writeFileSync(
      join(dir, 'second.csv'),
      `${[lines[0], ...lines.slice(middle + 1)].join('\n')}\n`,
    );
    await importAll(run, 'first.csv');
    await importAll(run, 'second.csv');
    const { total, by } = await figures(run);
    expect(total?.value).toBe(expected.overall);
    expect(
      Object.fromEntries(
        (by?.breakdown ?? []).map((g) => [g.key, { value: g.value, n: g.sampleSize }]),
      ),
    ).toEqual(expected.byContract);
  });

  test('--dry-run checks the whole file, writes nothing, and counts every bad row', async () => {
    const dir = workspace('telco-churn');
    const run = rapportIn(dir);
    await run('import', 'users', 'users.csv');
    const dry = await run(
      'import',
      'accounts',
      'customers.csv',
      '--mapping',
      'telco-accounts',
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${rows.length} rows, ${rows.length} created`);
    expect(dry.stdout).toContain('dry run: nothing written');
    const after = await kpi(run, 'aftersales.churnRate', '--period', '2025-06');
    expect(after['aftersales.churnRate']?.sampleSize).toBe(0);
    // Contracts before their accounts: every row is bad, and the count is the true one.
    const bad = await run(
      'import',
      'contracts',
      'customers.csv',
      '--mapping',
      'telco-contracts',
      '--dry-run',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${rows.length} rows rejected; nothing was imported`);
    expect(bad.stderr).toContain(`first 20 of ${rows.length} bad rows shown`);
  });

  test('a custom field whose type changed is refused, naming the field', async () => {
    const dir = workspace('telco-churn');
    const run = rapportIn(dir);
    await importAll(run);
    const config = JSON.parse(readFileSync(join(dir, 'rapport.config.json'), 'utf8'));
    config.fields.account.contract = { type: 'integer' };
    writeFileSync(join(dir, 'rapport.config.json'), JSON.stringify(config));
    const result = await run('import', 'users', 'users.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `fields\\.account\\.contract: ${rows.length} stored values of account\\.custom\\.contract no longer match`,
      ),
    );
  });
});
