/**
 * @internal Fuzzed bad input over CSV import (issue 12, proof c): generated bad values for every
 * import field of every importable object, each in a row that is valid but for that one cell.
 * Every row must be rejected with its line, naming the field, with a stable code (a file that is
 * not UTF-8: the whole file, INVALID_UTF8 with the line), and the database must stay byte for
 * byte the same.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectName } from '@rapport/core';
import fc from 'fast-check';
import { ImportRejected, importRecords } from './import-records.js';
import { type BadCell, badCells, importFields } from './test-import-fuzz-cells.js';
import { fuzzFile } from './test-import-fuzz-file.js';
import { databaseDump, importFuzzFixture } from './test-import-fuzz-fixture.js';
import { type ImportFinding, judgeImport } from './test-import-fuzz-judge.js';

export { type BadCell, badCells, importFields } from './test-import-fuzz-cells.js';
export { fuzzFile } from './test-import-fuzz-file.js';
export { databaseDump, fuzzTenant, importFuzzFixture } from './test-import-fuzz-fixture.js';
export { type ImportFinding, judgeImport } from './test-import-fuzz-judge.js';

/** Rows per imported file: few enough that every row's errors are among the reported twenty. */
const rowsPerFile = 4;

/**
 * Imports `count` generated bad cells through the CLI's import (the library entry), a file per
 * few rows of one object, into a SQLite database or a PostgreSQL URL (`?schema=`); returns what was sent, the findings and whether the database changed.
 */
export async function runImportFuzz(count: number, seed?: number, location = ':memory:') {
  const fx = await importFuzzFixture(location);
  const db = fx.rawDatabase();
  const dialect = location.startsWith('postgres') ? 'postgres' : 'sqlite';
  const dir = mkdtempSync(join(tmpdir(), 'rapport-import-fuzz-'));
  const findings: ImportFinding[] = [];
  const categories: Record<string, number> = {};
  const fieldsHit = new Set<string>();
  let nextId = 0;
  try {
    // The valid rows are valid: each imports in a dry run (which writes nothing).
    for (const [object, row] of Object.entries(fx.base) as [ObjectName, Record<string, string>][]) {
      const path = join(dir, `${object}-valid.csv`);
      writeFileSync(
        path,
        fuzzFile(row, [{ object, field: 'externalId', category: 'valid', value: 'fz-valid' }], 0)
          .bytes,
      );
      const summary = await importRecords(fx.system, {
        object,
        file: path,
        skipInvalid: false,
        dryRun: true,
      }).catch((error: unknown) => {
        const errors = error instanceof ImportRejected ? JSON.stringify(error.errors) : '';
        throw new Error(`the valid ${object} row does not import: ${String(error)} ${errors}`);
      });
      if (summary.created !== 1) throw new Error(`the valid ${object} row does not import`);
    }
    const before = await databaseDump(db, dialect);
    const cells = fc.sample(badCells(), {
      numRuns: count,
      ...(seed === undefined ? {} : { seed }),
    });
    const byObject = new Map<ObjectName, BadCell[]>();
    for (const cell of cells) {
      categories[cell.category] = (categories[cell.category] ?? 0) + 1;
      fieldsHit.add(`${cell.object}.${cell.field}`);
      // A file that is not UTF-8 is refused as a whole: such a cell gets a file of its own.
      if (cell.category === 'not UTF-8') {
        await importOne([cell]);
        continue;
      }
      const list = byObject.get(cell.object) ?? [];
      list.push(cell);
      if (list.length === rowsPerFile) {
        await importOne(list);
        byObject.set(cell.object, []);
      } else {
        byObject.set(cell.object, list);
      }
    }
    for (const list of byObject.values()) if (list.length > 0) await importOne(list);
    const after = await databaseDump(db, dialect);
    return {
      sent: cells.length,
      fields: importFields().length,
      fieldsHit: fieldsHit.size,
      categories,
      findings,
      unchanged: before === after,
    };
  } finally {
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  }

  async function importOne(list: readonly BadCell[]): Promise<void> {
    const [first] = list;
    if (!first) return;
    const { bytes, lines } = fuzzFile(fx.base[first.object] ?? {}, list, nextId);
    nextId += list.length;
    const path = join(dir, `${first.object}.csv`);
    writeFileSync(path, bytes);
    const outcome = await importRecords(fx.system, {
      object: first.object,
      file: path,
      skipInvalid: false,
    }).catch((error: unknown) => error);
    findings.push(...judgeImport(list, lines, outcome));
  }
}
