import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, describe, expect, test } from 'vitest';

// These tests run the built binary as a user would; `npm test` builds first.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rapport-cli-'));
// The defaults apply: no database or tenant from the environment of whoever runs the tests.
const { RAPPORT_DB: _db, RAPPORT_TENANT: _tenant, ...env } = process.env;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function rapport(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

function query<T>(db: string, sql: string): T[] {
  const database = new Database(join(dir, db), { readonly: true });
  try {
    return database.prepare(sql).all() as T[];
  } finally {
    database.close();
  }
}

beforeAll(() => {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: build with npm run build -w @rapport/cli`);
});

test('--help for the program and each command; usage errors exit 2', async () => {
  const help = await rapport('--help');
  expect(help.code).toBe(0);
  for (const command of ['init', 'demo', 'import', 'export', 'kpi', 'migrate', 'copy']) {
    expect(help.stdout).toContain(command);
  }
  const importHelp = await rapport('import', '--help');
  expect(importHelp.code).toBe(0);
  expect(importHelp.stdout).toContain('Usage: rapport import [options] [object] [file]');
  expect(importHelp.stdout).toContain('--from <system>');
  expect(importHelp.stdout).toContain('--skip-invalid');
  const unknown = await rapport('export');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("missing required argument 'object'");
});

describe('import and export', () => {
  const db = 'crm.sqlite';
  const header = 'Id,Last Name,Company,Email,Owner,Lead Source\r\n';
  const good = [
    'L1,Doe,"Acme, Inc",doe@example.com,rep-1,Web',
    'L2,Roe,"=HYPERLINK(""http://evil.example"")",roe@example.com,rep-1,Web',
    'L4,"Multi\r\nline",Globex,,rep-1,',
    'L6,@Poe,+49 30 1234,poe@example.com,rep-1,Email',
  ];
  const leads = file(
    'leads.csv',
    `\ufeff${header}${good[0]}\r\n${good[1]}\r\nL3,Moe,Initech,not-an-email,rep-1,Web\r\n${good[2]}\r\nL5,Poe,Umbrella,x@example.com,rep-404,Web\r\n${good[3]}\r\n`,
  );
  type Lead = { external_id: string; version: number; updated_at: string };
  const stored = () =>
    query<Lead>(db, 'select external_id, version, updated_at from leads order by external_id');

  test('bad rows: their lines and columns, exit 1, and nothing written', async () => {
    file('reps.csv', 'External Id,Name\nrep-1,Rita Rep\n');
    expect((await rapport('import', 'users', 'reps.csv', '--db', db)).code).toBe(0);
    const run = await rapport('import', 'leads', leads, '--db', db, '--map', 'Owner=ownerId');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('leads.csv:4: column "Email" (email): Invalid email address');
    expect(run.stderr).toContain(
      'leads.csv:7: column "Owner" (ownerId): references no user rep-404',
    );
    expect(run.stderr).toContain('nothing was imported');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(stored()).toEqual([]);
  });

  test('--skip-invalid lands exactly the good rows; importing again changes nothing', async () => {
    const run = await rapport(
      'import',
      'leads',
      leads,
      '--db',
      db,
      '--map',
      'Owner=ownerId',
      '--skip-invalid',
      '--errors',
      'rejected.csv',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('6 rows, 4 created');
    const first = stored();
    expect(first.map((l) => l.external_id)).toEqual(['L1', 'L2', 'L4', 'L6']);
    const rejected = readFileSync(join(dir, 'rejected.csv'), 'utf8').trim().split('\n');
    expect(
      rejected.slice(1).map((l) => l.split(',').slice(0, 1).concat(l.split(',').slice(-2, -1))),
    ).toEqual([
      ['L3', '4'],
      ['L5', '7'],
    ]);

    const again = await rapport(
      'import',
      'leads',
      leads,
      '--db',
      db,
      '--map',
      'Owner=ownerId',
      '--skip-invalid',
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 created, 4 existing');
    expect(stored()).toEqual(first);
  });

  test('export: CSV cells that start a formula are quoted; JSON has every record', async () => {
    const csv = await rapport('export', 'leads', '--db', db);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(csv.stdout).toContain(",'@Poe,");
    expect(csv.stdout).toContain(",'+49 30 1234,");
    expect(csv.stdout).toContain('"Acme, Inc"');
    const json = await rapport(
      'export',
      'leads',
      '--db',
      db,
      '--format',
      'json',
      '--out',
      'leads.json',
    );
    expect(json.code).toBe(0);
    const records = JSON.parse(readFileSync(join(dir, 'leads.json'), 'utf8')) as {
      company: string;
    }[];
    expect(records.map((r) => r.company).sort()).toEqual([
      '+49 30 1234',
      '=HYPERLINK("http://evil.example")',
      'Acme, Inc',
      'Globex',
    ]);
  });
  test('copy: the SQLite file into a PostgreSQL schema, then the same export from there', async () => {
    const schema = `cli_copy_${process.pid}_${Date.now()}`;
    const base = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const target = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
    try {
      const copy = await rapport('copy', '--from', db, '--to', target);
      expect(copy.code).toBe(0);
      expect(copy.stdout).toContain('leads: 4');
      const fromSqlite = await rapport('export', 'leads', '--db', db, '--format', 'json');
      const fromPostgres = await rapport('export', 'leads', '--db', target, '--format', 'json');
      expect(fromPostgres.code).toBe(0);
      expect(JSON.parse(fromPostgres.stdout)).toEqual(JSON.parse(fromSqlite.stdout));
      const again = await rapport('copy', '--from', db, '--to', target);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('CONFLICT');
    } finally {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  });
});

test('an import killed in the middle leaves a database a re-run completes, without duplicates', async () => {
  const db = 'killed.sqlite';
  file('rep.csv', 'Id,Name\nrep-1,Rita Rep\n');
  expect((await rapport('import', 'users', 'rep.csv', '--db', db)).code).toBe(0);
  const rows = ['Id,Last Name,Company,Owner Id'];
  for (let i = 0; i < 3000; i++) rows.push(`K${i},Name ${i},Company ${i % 97},rep-1`);
  file('many.csv', `${rows.join('\n')}\n`);
  const args = [
    bin,
    'import',
    'leads',
    'many.csv',
    '--db',
    db,
    '--skip-invalid',
    '--batch-size',
    '50',
  ];
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const count = () => query<{ n: number }>(db, 'select count(*) as n from leads')[0]?.n ?? 0;
  // Wait until some batches are committed, then kill without warning.
  while (count() === 0) await new Promise((resolve) => setTimeout(resolve, 25));
  child.kill('SIGKILL');
  await exited;
  const landed = count();
  expect(landed).toBeGreaterThan(0);
  expect(landed).toBeLessThan(3000);
  expect(landed % 50).toBe(0);

  const rerun = await rapport('import', 'leads', 'many.csv', '--db', db);
  expect(rerun.code).toBe(0);
  expect(rerun.stdout).toContain(`${3000 - landed} created, ${landed} existing`);
  const [totals] = query<{ n: number; distinct_ids: number }>(
    db,
    'select count(*) as n, count(distinct external_id) as distinct_ids from leads',
  );
  expect(totals).toEqual({ n: 3000, distinct_ids: 3000 });
}, 300_000);

test('demo: the four KPI groups with the Maven win rate; running it again adds nothing', async () => {
  const db = 'demo.sqlite';
  const english = await rapport('demo', '--db', db);
  expect(english.code).toBe(0);
  for (const group of ['■ LEADS', '■ PIPELINE', '■ CLOSING', '■ AFTERSALES']) {
    expect(english.stdout).toContain(group);
  }
  expect(english.stdout).toMatch(/Win rate\s+63\.15 %/);
  expect(english.stdout).toContain('Win rate by rep');
  // The generated stage history gives the sample deals a past that history KPIs can measure.
  expect(english.stdout).toMatch(/Stage conversion\s+\d+\.\d{2} %/);
  expect(english.stdout).toMatch(/█/);
  // Predictions: lead scores with reasons, the forecast range against quota, plans at risk.
  expect(english.stdout).toContain('■ PREDICT');
  expect(english.stdout).toMatch(/Expected conversions\s+\d+\.\d{2}/);
  expect(english.stdout).toContain('## Predictions');
  expect(english.stdout).toMatch(/open leads scored, expected conversions \d/);
  expect(english.stdout).toMatch(/Lead source is .+: (raises|lowers) the odds ×\d/);
  expect(english.stdout).toMatch(
    /P10 €[\d,.]+, P50 €[\d,.]+, P90 €[\d,.]+; quota €[\d,.]+, chance/,
  );
  expect(english.stdout).toMatch(/\d+ of \d+ quotas at risk/);
  const counts = () =>
    ['opportunities', 'leads', 'activities', 'quotas', 'contracts', 'stage_history'].map(
      (table) => query<{ n: number }>(db, `select count(*) as n from ${table}`)[0]?.n,
    );
  const before = counts();

  const german = await rapport('demo', '--db', db, '--lang', 'de');
  expect(german.code).toBe(0);
  expect(german.stdout).toMatch(/Gewinnquote\s+63,15 %/);
  expect(german.stdout).toMatch(/\d{1,3}(\.\d{3})+,\d{2} €/);
  expect(counts()).toEqual(before);
  expect(german.stdout).toContain('## Vorhersagen');

  const json = await rapport('demo', '--db', db, '--json');
  expect(json.code).toBe(0);
  const { predictions } = JSON.parse(json.stdout) as {
    predictions: {
      leads: { scored: number; expectedConversions: number; top: { probability: number }[] };
      forecast: {
        total: { p10: number; p50: number; p90: number; quota: number | null };
        owners: { quotaAtRisk: boolean; quotaProbability: number | null }[];
        atRiskOwners: number;
        riskyDeals: { risks: unknown[] }[];
      };
    };
  };
  const scores = predictions.leads.top.map((t) => t.probability);
  expect(scores.length).toBeGreaterThan(0);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const p of scores) expect(p >= 0 && p <= 1).toBe(true);
  expect(predictions.leads.expectedConversions).toBeLessThanOrEqual(predictions.leads.scored);
  const { total, owners } = predictions.forecast;
  expect(total.p10).toBeLessThanOrEqual(total.p50);
  expect(total.p50).toBeLessThanOrEqual(total.p90);
  expect(total.quota).toBeGreaterThan(0);
  // At risk means a chance below one half, and the count says how many.
  for (const o of owners) expect(o.quotaAtRisk).toBe((o.quotaProbability ?? 1) < 0.5);
  expect(owners.filter((o) => o.quotaAtRisk)).toHaveLength(predictions.forecast.atRiskOwners);
  for (const d of predictions.forecast.riskyDeals) expect(d.risks.length).toBeGreaterThan(0);
  // The predict commands open the demo's database (which the http plugin migrated too).
  const score = await rapport('score', 'leads', '--db', db, '--limit', '3');
  expect(score.code, score.stderr).toBe(0);
  expect(score.stdout).toMatch(/\d+ open leads scored/);
  const forecast = await rapport('forecast', '--db', db, '--json', '--runs', '500');
  expect(forecast.code, forecast.stderr).toBe(0);
  const { total: live } = JSON.parse(forecast.stdout) as { total: { p10: number; p90: number } };
  expect(live.p10).toBeLessThanOrEqual(live.p90);

  // The demo moved the sample data to the present and reports its last twelve months.
  const period = /period (\S+)/.exec(english.stdout)?.[1] ?? '';
  expect(period).toMatch(/^\d{4}-\d{2}-01\.\.\d{4}-\d{2}-\d{2}$/);
  expect(english.stdout).toContain('Dates: moved');
  const kpi = await rapport(
    'kpi',
    'closing.winRate',
    '--period',
    period,
    '--by',
    'owner',
    '--json',
    '--db',
    db,
  );
  expect(kpi.code).toBe(0);
  const { 'closing.winRate': winRate } = JSON.parse(kpi.stdout) as Record<
    string,
    { value: number; sampleSize: number; breakdown: { sampleSize: number }[] }
  >;
  expect(winRate?.value).toBeCloseTo(0.6315, 4);
  expect(winRate?.breakdown.reduce((sum, g) => sum + g.sampleSize, 0)).toBe(winRate?.sampleSize);

  // A reader that leaves early (`| head`) ends the export quietly: no crash, no stack.
  const piped = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
    execFile(
      'sh',
      ['-c', `"${process.execPath}" "${bin}" export opportunities --db ${db} | head -n 2`],
      { cwd: dir, env },
      (_error, stdout, stderr) => resolve({ stdout, stderr }),
    );
  });
  expect(piped.stdout.trim().split('\n')).toHaveLength(2);
  expect(piped.stderr).toBe('');
}, 600_000);
