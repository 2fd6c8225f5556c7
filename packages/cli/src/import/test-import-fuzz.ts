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
import { isCurrencyCode, type ObjectName, standardObjects } from '@rapport/core';
import fc from 'fast-check';
import { type QueryExecutorProvider, sql } from 'kysely';
import { openCrm } from '../database/open-crm.js';
import { InputError } from '../errors/cli-errors.js';
import { writableFields } from './column-mapping.js';
import { fieldKinds } from './field-values.js';
import { ImportRejected, importRecords } from './import-records.js';

/** One generated bad cell: the object and field it is for, the kind of badness and the value. */
export interface BadCell {
  readonly object: ObjectName;
  readonly field: string;
  readonly category: string;
  /** Text, or raw bytes (for bytes that are not UTF-8). */
  readonly value: string | Uint8Array;
}

/** A bad cell whose import broke the rule, with what happened. */
export interface ImportFinding {
  readonly cell: { object: string; field: string; category: string; value: string };
  readonly problem: string;
}

/** The tenant the fuzz imports into. */
export const fuzzTenant = 'fuzz';

/**
 * Every table with its rows sorted, as one string: what "nothing changed" compares. SQLite
 * tables come with their DDL; PostgreSQL ones are those of the search path's schema.
 */
export async function databaseDump(
  db: QueryExecutorProvider,
  dialect: 'sqlite' | 'postgres' = 'sqlite',
): Promise<string> {
  const tables =
    dialect === 'sqlite'
      ? await sql<{ name: string; sql: string }>`
          select name, sql from sqlite_master where type = 'table' order by name`.execute(db)
      : await sql<{ name: string; sql: string }>`
          select table_name as name, table_name as sql from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'
          order by table_name`.execute(db);
  const parts: string[] = [];
  for (const { name, sql: ddl } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    parts.push(
      `${ddl}\n${rows.rows
        .map((row) => JSON.stringify(row))
        .sort()
        .join('\n')}`,
    );
  }
  return parts.join('\n\n');
}

/**
 * A migrated database (`:memory:` or a SQLite file) opened as the CLI opens it, with one record
 * of each kind to refer to, and a valid row (CSV text by field) for every importable object.
 */
export async function importFuzzFixture(location = ':memory:') {
  const opened = await openCrm(location, { migrate: true });
  await opened.crm.createTenant({ id: fuzzTenant, name: 'Fuzz GmbH', baseCurrency: 'EUR' });
  const system = opened.crm.tenant(fuzzTenant).system();
  const rep = await system.users.create({ name: 'Rita Rep', role: 'rep' });
  const account = await system.accounts.create({ name: 'Globex', ownerId: rep.id });
  const product = await system.products.create({ name: 'Seat', listPrice: 100_00 });
  const deal = await system.opportunities.create({
    name: 'Deal',
    ownerId: rep.id,
    accountId: account.id,
    closeDate: '2026-12-31',
  });
  const stages = JSON.stringify([
    { name: 'Open', probability: 20, forecastCategory: 'Pipeline', status: 'open' },
    { name: 'Won', probability: 100, forecastCategory: 'Closed', status: 'won' },
    { name: 'Lost', probability: 0, forecastCategory: 'Omitted', status: 'lost' },
  ]);
  const base: Partial<Record<ObjectName, Record<string, string>>> = {
    user: { name: 'Uma User' },
    team: { name: 'North' },
    account: { name: 'Initech', ownerId: rep.id },
    contact: { lastName: 'Doe', ownerId: rep.id },
    campaign: { name: 'Spring fair' },
    lead: { lastName: 'Kim', company: 'Umbrella', ownerId: rep.id },
    product: { name: 'Gadget' },
    pipeline: { name: 'Short', stages },
    opportunity: { name: 'Big deal', closeDate: '2026-11-30', ownerId: rep.id },
    lineItem: { opportunityId: deal.id, productId: product.id, quantity: '2' },
    activity: { type: 'call', subject: 'Hello', ownerId: rep.id },
    quota: { ownerId: rep.id, periodStart: '2026-01-01', periodEnd: '2026-03-31', amount: '100' },
    contract: {
      accountId: account.id,
      ownerId: rep.id,
      startDate: '2026-01-01',
      monthlyAmount: '10.50',
    },
  };
  return { ...opened, system, base };
}

interface ZodNode {
  readonly _zod?: {
    readonly def?: {
      readonly type?: string;
      readonly format?: string;
      readonly innerType?: unknown;
      readonly in?: unknown;
      readonly entries?: Readonly<Record<string, string>>;
    };
  };
}

/** What a field's schema is underneath optional, nullable and default: enum options, email. */
function shapeOf(schema: unknown): { options?: readonly string[]; email?: boolean } {
  // Test code reads zod's definition to pick values that are certainly wrong for the field.
  let node = schema as ZodNode | undefined;
  for (let depth = 0; depth < 10 && node?._zod?.def; depth++) {
    const def = node._zod.def;
    if (def.type === 'enum') return { options: Object.values(def.entries ?? {}) };
    if (def.type === 'string') return { email: def.format === 'email' };
    if (['optional', 'nullable', 'default', 'prefault'].includes(def.type ?? '')) {
      node = def.innerType as ZodNode;
    } else if (def.type === 'pipe') {
      node = def.in as ZodNode;
    } else {
      return {};
    }
  }
  return {};
}

const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const notUtf8 = fc.constantFrom(
  [0xe9],
  [0xfc],
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff, 0xfe],
  [0xc3, 0x28],
);
const nulText = fc
  .tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
  .map(([before, after]) => `${before}\u0000${after}`);
const tooLong = fc
  .tuple(fc.integer({ min: 32_001, max: 33_000 }), fc.constantFrom('x', 'ä', '字', ' a'))
  .map(([length, text]) => text.repeat(Math.ceil(length / text.length)));
const notANumber = fc.oneof(
  fc.constantFrom(
    'abc',
    '1.2.3',
    '1,5',
    'NaN',
    'Infinity',
    '0x10',
    '1e',
    '--1',
    '١٢',
    '½',
    '1_000',
  ),
  fc.string({ minLength: 1, maxLength: 10 }).filter((text) => !numberText.test(text.trim())),
);
const impossibleDay = fc
  .record({
    year: fc.integer({ min: 1970, max: 2099 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 29, max: 99 }),
  })
  .filter(({ year, month, day }) => day > new Date(Date.UTC(year, month, 0)).getUTCDate())
  .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${day}`);
const impossibleMonth = fc
  .tuple(fc.integer({ min: 1970, max: 2099 }), fc.integer({ min: 13, max: 99 }))
  .map(([year, month]) => `${year}-${month}-01`);
const notADate = fc.oneof(
  impossibleDay,
  impossibleMonth,
  fc.constantFrom('tomorrow', '31/12/2026', '2026-1-1', '20261231', '2026/12/31', 'T10:00'),
);
const impossibleTime = fc
  .tuple(fc.integer({ min: 24, max: 99 }), fc.integer({ min: 0, max: 99 }))
  .map(([hour, minute]) => `2026-03-01T${hour}:${String(minute).padStart(2, '0')}:00Z`);

/** The bad values of one field, by kind; every one is wrong for the field whatever the row. */
function badValues(
  object: ObjectName,
  field: string,
): fc.Arbitrary<Omit<BadCell, 'object' | 'field'>> {
  const definition = standardObjects[object];
  const kind = fieldKinds(object).get(field) ?? 'text';
  const schema = (definition.fields.shape as Record<string, unknown>)[field];
  const references = definition.references as Readonly<Record<string, string>> | undefined;
  const options: fc.Arbitrary<Omit<BadCell, 'object' | 'field'>>[] = [];
  const add = (category: string, values: fc.Arbitrary<string>, weight = 1) => {
    const arbitrary = values.map((value) => ({ category, value }));
    for (let i = 0; i < weight; i++) options.push(arbitrary);
  };
  switch (kind) {
    case 'money':
      add(
        'more decimals than the currency',
        fc
          .tuple(fc.nat({ max: 1e9 }), fc.stringMatching(/^\d{2,5}[1-9]$/))
          .map(([whole, fraction]) => `${whole}.${fraction}`),
        3,
      );
      add(
        'negative money',
        fc.integer({ min: 1, max: 1e9 }).map((n) => `-${n / 100}`),
      );
      add('money past a safe integer', fc.stringMatching(/^[1-9]\d{14,24}$/));
      add('not a number', notANumber);
      break;
    case 'number': {
      add('not a number', notANumber, 2);
      add('infinite number', fc.constantFrom('1e400', '-1e400', '9'.repeat(400)));
      const parse = (schema as { safeParse(value: unknown): { success: boolean } }).safeParse;
      const outOfRange = [-1, -0.5, 0, 1.5, 101, 1e10, 3001, 999].filter(
        (value) => !parse.call(schema, value).success,
      );
      if (outOfRange.length > 0)
        add('number out of range', fc.constantFrom(...outOfRange.map(String)));
      break;
    }
    case 'date':
      add('impossible date', notADate, 2);
      break;
    case 'timestamp':
      add('impossible date', notADate);
      add(
        'impossible time',
        fc.oneof(
          impossibleTime,
          impossibleDay.map((day) => `${day}T10:00:00Z`),
        ),
      );
      break;
    case 'json':
      add('malformed JSON', fc.constantFrom('{', '[1,', 'nope', "[{'a':1}]", '{"a":}', '[}'));
      add(
        'JSON of the wrong shape',
        fc.constantFrom('42', '"text"', 'null', '{}', '[1,2]', '[{}]', 'true'),
      );
      break;
    default: {
      add('NUL character', nulText);
      add('text too long', tooLong);
      const shape = shapeOf(schema);
      if (shape.options) {
        const allowed = shape.options;
        add(
          'not one of the options',
          fc.string({ minLength: 1, maxLength: 12 }).filter((value) => !allowed.includes(value)),
          2,
        );
      }
      if (shape.email) {
        add(
          'not an email',
          fc.string({ minLength: 1, maxLength: 20 }).filter((v) => !v.includes('@')),
          2,
        );
      }
      if (field === 'currency') {
        add(
          'not a currency code',
          fc
            .string({ minLength: 1, maxLength: 5 })
            .filter((value) => !isCurrencyCode(value.trim())),
          2,
        );
      }
      if (references?.[field]) {
        add(
          'reference to no record',
          fc.string({ minLength: 1, maxLength: 20 }).map((value) => `ghost-${value}`),
          2,
        );
      }
      if (object === 'opportunity' && field === 'stage') {
        add(
          'no stage of the pipeline',
          fc.string({ maxLength: 10 }).map((value) => `No ${value}`),
        );
      }
    }
  }
  return fc.oneof(...options);
}

/** The importable objects (not the engine's own) and their import fields. */
export function importFields(): { object: ObjectName; field: string }[] {
  const fields: { object: ObjectName; field: string }[] = [];
  for (const object of Object.keys(standardObjects) as ObjectName[]) {
    if (standardObjects[object].engineOnly) continue;
    for (const field of writableFields(object)) fields.push({ object, field });
  }
  return fields;
}

/**
 * The generator of bad cells over every import field of every importable object. One in twelve
 * carries bytes that are not UTF-8 (which refuse the whole file, whatever the field); the others
 * are wrong by the field's own rules.
 */
export function badCells(): fc.Arbitrary<BadCell> {
  const fields = fc.constantFrom(...importFields());
  const ruled = fields.chain(({ object, field }) =>
    badValues(object, field).map((bad): BadCell => ({ object, field, ...bad })),
  );
  const bytes = fc.tuple(fields, notUtf8).map(
    ([{ object, field }, broken]): BadCell => ({
      object,
      field,
      category: 'not UTF-8',
      // Bytes that are not UTF-8 inside an ordinary value, written raw into the file.
      value: Buffer.concat([Buffer.from('Caf'), Buffer.from(broken), Buffer.from('e')]),
    }),
  );
  return fc.oneof({ weight: 11, arbitrary: ruled }, { weight: 1, arbitrary: bytes });
}

/** A cell as CSV bytes: always quoted (RFC 4180), so commas, quotes and breaks stay inside. */
function csvCell(value: string | Uint8Array): Buffer {
  if (typeof value !== 'string') return Buffer.concat([Buffer.from('"'), value, Buffer.from('"')]);
  return Buffer.from(`"${value.replaceAll('"', '""')}"`);
}

function lineBreaks(bytes: Buffer): number {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) count++;
  }
  return count;
}

/** Fields the valid row must leave empty when the fuzzed field is given (one of the two). */
const exclusive: Readonly<Record<string, string>> = { 'quota.teamId': 'ownerId' };

/** A file of rows for one object, each row valid but for its one bad cell; the rows' lines. */
export function fuzzFile(
  base: Readonly<Record<string, string>>,
  cells: readonly BadCell[],
  firstId: number,
): { bytes: Buffer; lines: number[]; header: string[] } {
  const header = ['externalId', ...Object.keys(base)];
  for (const cell of cells) if (!header.includes(cell.field)) header.push(cell.field);
  const parts: Buffer[] = [Buffer.from(`${header.join(',')}\r\n`)];
  const lines: number[] = [];
  let line = 2;
  for (const [index, cell] of cells.entries()) {
    const row = Buffer.concat(
      header.flatMap((column, at) => {
        const value =
          column === cell.field
            ? cell.value
            : column === 'externalId'
              ? `fz-${firstId + index}`
              : exclusive[`${cell.object}.${cell.field}`] === column
                ? ''
                : (base[column] ?? '');
        return at === 0 ? [csvCell(value)] : [Buffer.from(','), csvCell(value)];
      }),
    );
    lines.push(line);
    line += lineBreaks(row) + 1;
    parts.push(row, Buffer.from('\r\n'));
  }
  return { bytes: Buffer.concat(parts), lines, header };
}

const printable = (value: string | Uint8Array) =>
  (typeof value === 'string' ? value : Buffer.from(value).toString('latin1')).slice(0, 80);

/** The findings of one imported file of bad cells (an empty list when every row was refused well). */
export function judgeImport(
  cells: readonly BadCell[],
  lines: readonly number[],
  outcome: unknown,
): ImportFinding[] {
  const findings: ImportFinding[] = [];
  const finding = (cell: BadCell, problem: string) =>
    findings.push({
      cell: {
        object: cell.object,
        field: cell.field,
        category: cell.category,
        value: printable(cell.value),
      },
      problem,
    });
  const utf8 = cells.findIndex((cell) => cell.category === 'not UTF-8');
  if (utf8 >= 0) {
    const cell = cells[utf8] as BadCell;
    const ok =
      outcome instanceof InputError &&
      outcome.code === 'INVALID_UTF8' &&
      outcome.message.includes(`:${lines[utf8]}: INVALID_UTF8`);
    if (!ok)
      finding(cell, `expected INVALID_UTF8 at line ${lines[utf8]}, got ${describe(outcome)}`);
    return findings;
  }
  if (!(outcome instanceof ImportRejected)) {
    for (const cell of cells) finding(cell, `expected the rows rejected, got ${describe(outcome)}`);
    return findings;
  }
  if (outcome.rowsWithErrors !== cells.length) {
    findings.push({
      cell: { object: cells[0]?.object ?? '', field: '*', category: 'row count', value: '' },
      problem: `${outcome.rowsWithErrors} of ${cells.length} rows rejected`,
    });
  }
  for (const [index, cell] of cells.entries()) {
    const errors = outcome.errors.filter((error) => error.line === lines[index]);
    const named = errors.some(
      (error) =>
        error.column === cell.field ||
        error.field === cell.field ||
        error.field?.startsWith(`${cell.field}.`),
    );
    if (!named) {
      finding(cell, `line ${lines[index]}: no error names the field: ${JSON.stringify(errors)}`);
    }
    for (const error of errors) {
      if (
        error.code !== 'VALIDATION' ||
        error.message.trim() === '' ||
        /undefined|\[object/.test(error.message)
      ) {
        finding(cell, `line ${lines[index]}: unclear error ${JSON.stringify(error)}`);
      }
    }
  }
  return findings;
}

function describe(outcome: unknown): string {
  if (outcome instanceof Error) return `${outcome.name}: ${outcome.message.slice(0, 200)}`;
  return `success ${JSON.stringify(outcome).slice(0, 200)}`;
}

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
