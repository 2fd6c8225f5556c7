import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { openCrm } from '../database/open-crm.js';
import {
  badCells,
  databaseDump,
  fuzzFile,
  fuzzTenant,
  importFields,
  importFuzzFixture,
  runImportFuzz,
} from './test-import-fuzz.js';

/** npm test imports 1,000 bad cells; `node scripts/security-fuzz.mjs` (10,000) the full run. */
const count = Number(process.env.RAPPORT_FUZZ_IMPORT_VALUES ?? 1000);
/** A fixed seed, so CI replays the same cells; the long run picks its own (RAPPORT_FUZZ_SEED). */
const seed = Number(process.env.RAPPORT_FUZZ_SEED ?? 20_261_201);

it(`${count} generated bad cells over every import field of every importable object: each row refused with its line and field, the database unchanged`, async () => {
  const result = await runImportFuzz(count, seed);
  console.info(
    `import fuzz (seed ${seed}): ${result.sent} bad cells over ${result.fieldsHit} of ${result.fields} import fields; categories ${JSON.stringify(result.categories)}`,
  );
  for (const finding of result.findings.slice(0, 30))
    console.error('finding:', JSON.stringify(finding));
  expect(result.findings).toEqual([]);
  expect(result.unchanged).toBe(true);
  expect(result.sent).toBe(count);
  // Every field is hit at this size (about 130 fields); the long run hits each many times.
  if (count >= 1000) expect(result.fieldsHit).toBe(result.fields);
}, 600_000);

const postgresBase = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** PostgreSQL refuses what SQLite stores (NUL, overlong bytes): a fifth of the cells go there too. */
const postgresCount = Math.max(200, Math.round(count / 5));

it(`${postgresCount} of them on PostgreSQL: the same refusals, no raw database error, the schema unchanged`, async () => {
  const schema = `hardening_import_fuzz_${process.pid}_${Date.now()}`;
  const location = `${postgresBase}${postgresBase.includes('?') ? '&' : '?'}schema=${schema}`;
  try {
    const result = await runImportFuzz(postgresCount, seed + 1, location);
    for (const finding of result.findings.slice(0, 30))
      console.error('finding (postgres):', JSON.stringify(finding));
    console.info(`import fuzz on PostgreSQL (seed ${seed + 1}): ${result.sent} bad cells`);
    expect(result.findings).toEqual([]);
    expect(result.unchanged).toBe(true);
    expect(result.sent).toBe(postgresCount);
  } finally {
    const client = new pg.Client({ connectionString: postgresBase });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}, 600_000);

// The built binary, as a user runs it (`npm test` builds first): a smaller sample.
const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rapport-import-fuzz-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { RAPPORT_DB: _db, RAPPORT_TENANT: _tenant, ...env } = process.env;

function rapport(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, env }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stderr });
    });
  });
}

it('the rapport binary refuses a sample of them: exit 1, the line and column on stderr, no stack, the file unchanged', async () => {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: build with npm run build -w @rapport/cli`);
  const database = join(dir, 'crm.sqlite');
  const fx = await importFuzzFixture(database);
  const { base } = fx;
  const before = await databaseDump(fx.rawDatabase());
  await fx.close();
  const cells = fc.sample(badCells(), { numRuns: 16, seed: 12 });
  const failures: string[] = [];
  for (const [index, cell] of cells.entries()) {
    const { bytes, lines } = fuzzFile(base[cell.object] ?? {}, [cell], index);
    const file = `${cell.object}-${index}.csv`;
    writeFileSync(join(dir, file), bytes);
    const run = await rapport(
      'import',
      cell.object,
      file,
      '--db',
      database,
      '--tenant',
      fuzzTenant,
    );
    const at = `${file}:${lines[0]}: `;
    const named =
      cell.category === 'not UTF-8'
        ? run.stderr.includes(`${at}INVALID_UTF8`)
        : run.stderr.includes(at) &&
          (run.stderr.includes(`column "${cell.field}"`) || run.stderr.includes(`(${cell.field}`));
    if (run.code !== 1 || !named || /unexpected error|\n\s+at /.test(run.stderr)) {
      failures.push(
        `${cell.object}.${cell.field} ${cell.category}: exit ${run.code} ${run.stderr.slice(0, 300)}`,
      );
    }
  }
  expect(failures).toEqual([]);
  expect(new Set(cells.map((cell) => cell.object)).size).toBeGreaterThan(5);
  const reopened = await openCrm(database);
  expect(await databaseDump(reopened.rawDatabase())).toBe(before);
  await reopened.close();
  expect(importFields().length).toBeGreaterThan(100);
}, 300_000);
