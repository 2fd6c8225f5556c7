import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';

// The project configuration through the built binary, as a user meets it.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const project = fileURLToPath(new URL('../fixtures/config-project/', import.meta.url));
const { RAPPORT_DB: _db, RAPPORT_TENANT: _tenant, RAPPORT_CONFIG: _config, ...env } = process.env;

function rapport(cwd: string, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env }, (error, stdout, stderr) => {
      resolve({
        code: error ? Number((error as { code?: unknown }).code ?? 1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build with npm run build`);
});

// Each command is a new Node process on a shared machine: generous limits, no timing asserted.
describe('rapport.config', { timeout: 300_000 }, () => {
  test('a TypeScript config: tenant settings, custom fields, and a local KPI plugin in rapport kpi', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'rapport-config-')), 'crm.sqlite');
    expect((await rapport(project, 'import', 'users', 'users.csv', '--db', db)).code).toBe(0);
    const accounts = await rapport(
      project,
      'import',
      'accounts',
      'accounts.csv',
      '--db',
      db,
      '--map',
      'Tier=custom.tier',
      '--owner',
      'rep-1',
    );
    // Bronze is not a tier: the config's enum is what the engine validates.
    expect(accounts.code).toBe(1);
    expect(accounts.stderr).toContain('accounts.csv:3: column "Tier" (custom.tier)');
    const list = await rapport(project, 'kpi', '--db', db);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('acme.revenuePerActivity');
    expect(list.stdout).toContain('closing.winRate');
    const json = await rapport(
      project,
      'kpi',
      'acme.revenuePerActivity',
      '--period',
      'FY2026',
      '--db',
      db,
      '--json',
    );
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout)['acme.revenuePerActivity'];
    // The tenant came from the config: the fiscal year starts in April, days are cut in Berlin.
    expect([result.period.start, result.period.startInstant]).toEqual([
      '2025-04-01',
      '2025-03-31T22:00:00.000Z',
    ]);
  });

  test('rapport init writes a starter that works; a bad JSON config names the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-init-'));
    const init = await rapport(dir, 'init', '--format', 'json');
    expect(init.code).toBe(0);
    expect((await rapport(dir, 'init', '--format', 'json')).stderr).toContain(
      'exists; not overwritten',
    );
    writeFileSync(join(dir, 'users.csv'), 'Id,Name\nrep-1,Rita\n');
    const imported = await rapport(dir, 'import', 'users', 'users.csv');
    expect(imported.code).toBe(0);
    expect(existsSync(join(dir, 'crm.sqlite'))).toBe(true);
    const config = JSON.parse(readFileSync(join(dir, 'rapport.config.json'), 'utf8'));
    config.fields.account.contract.type = 'money';
    writeFileSync(join(dir, 'rapport.config.json'), JSON.stringify(config));
    const bad = await rapport(dir, 'import', 'users', 'users.csv');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('rapport.config.json: fields.account.contract.type:');
    const ts = await rapport(mkdtempSync(join(tmpdir(), 'rapport-init-')), 'init');
    expect(ts.stdout).toContain('wrote rapport.config.ts');
  });
});
