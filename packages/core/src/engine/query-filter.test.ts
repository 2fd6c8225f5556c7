import Database from 'better-sqlite3';
import fc from 'fast-check';
import { CamelCasePlugin, Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isRapportError } from '../errors/rapport-error.js';
import { opportunityObject } from '../objects/standard-objects.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import {
  afterCursor,
  decodeCursor,
  encodeCursor,
  queryableFields,
  whereConditions,
} from './query-filter.js';

// The filter compiler runs here against a real SQLite table through kysely, without the engine,
// so that its semantics can be compared with a reference in JavaScript on random data.

interface Row {
  id: string;
  amount: number | null;
  name: string;
  custom: { score?: number; tag?: string };
}

/** The SQLite spelling of JSON access, as `@rapport/sqlite` has it (core cannot import it). */
const sqliteJson: DialectSql = {
  jsonValue: (json, key, kind) =>
    kind === 'number'
      ? sql`cast(json_extract(${json}, ${`$.${JSON.stringify(key)}`}) as real)`
      : sql`json_extract(${json}, ${`$.${JSON.stringify(key)}`})`,
  daysBetween: (from, to) => sql<number>`(julianday(${to}) - julianday(${from}))`,
  jsonParameter: (value) => JSON.stringify(value),
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  classifyError: () => undefined,
};

const customSchema = z.strictObject({ score: z.number().optional(), tag: z.string().optional() });
const options = {
  definition: opportunityObject,
  customSchema,
  dialect: sqliteJson,
  alias: 't',
};

let db: Kysely<AnyDatabase>;
beforeAll(async () => {
  db = new Kysely<AnyDatabase>({
    dialect: new SqliteDialect({ database: new Database(':memory:') }),
    plugins: [new CamelCasePlugin()],
  });
  await db.schema
    .createTable('opportunities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('amount', 'integer')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('custom', 'text', (c) => c.notNull())
    .execute();
});
afterAll(() => db.destroy());

async function load(rows: readonly Row[]): Promise<void> {
  await db.deleteFrom('opportunities').execute();
  if (rows.length > 0) {
    await db
      .insertInto('opportunities')
      .values(rows.map((row) => ({ ...row, custom: JSON.stringify(row.custom) })))
      .execute();
  }
}

async function idsWhere(where: Record<string, unknown>): Promise<string[]> {
  const rows = await db
    .selectFrom('opportunities as t')
    .select('t.id')
    .where((eb) => eb.and(whereConditions(eb, where, options)))
    .execute();
  return rows.map((row) => String(row.id)).sort();
}

const rowsArbitrary = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[a-f0-9]{6}$/),
    amount: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    name: fc.string({
      unit: fc.constantFrom('a', 'b', 'A', '%', '_', 'é', '😀'),
      maxLength: 4,
    }),
    custom: fc.record(
      { score: fc.integer({ min: 0, max: 12 }), tag: fc.constantFrom('x', 'y', 'xy') },
      { requiredKeys: [] },
    ),
  }),
  { selector: (row) => row.id, maxLength: 25 },
);

type Filter = readonly [where: Record<string, unknown>, predicate: (row: Row) => boolean];

const value = fc.integer({ min: 0, max: 5 });
const filterArbitrary: fc.Arbitrary<Filter> = fc.oneof(
  value.map((v): Filter => [{ amount: v }, (r) => r.amount === v]),
  fc.constant<Filter>([{ amount: null }, (r) => r.amount === null]),
  value.map((v): Filter => [{ amount: { ne: v } }, (r) => r.amount !== v]),
  fc
    .array(value, { maxLength: 3 })
    .map(
      (vs): Filter => [{ amount: { in: vs } }, (r) => r.amount !== null && vs.includes(r.amount)],
    ),
  fc
    .array(value, { maxLength: 3 })
    .map(
      (vs): Filter => [
        { amount: { notIn: vs } },
        (r) => r.amount === null || !vs.includes(r.amount),
      ],
    ),
  value.map((v): Filter => [{ amount: { gt: v } }, (r) => r.amount !== null && r.amount > v]),
  value.map((v): Filter => [{ amount: { gte: v } }, (r) => r.amount !== null && r.amount >= v]),
  value.map((v): Filter => [{ amount: { lt: v } }, (r) => r.amount !== null && r.amount < v]),
  value.map((v): Filter => [{ amount: { lte: v } }, (r) => r.amount !== null && r.amount <= v]),
  fc.boolean().map((b): Filter => [{ amount: { isNull: b } }, (r) => (r.amount === null) === b]),
  fc
    .string({ unit: fc.constantFrom('a', 'A', '%', '_', 'é', '😀'), maxLength: 2 })
    .map((prefix): Filter => [{ name: { startsWith: prefix } }, (r) => r.name.startsWith(prefix)]),
  fc
    .integer({ min: 0, max: 12 })
    .map(
      (v): Filter => [
        { custom: { score: { gt: v } } },
        (r) => r.custom.score !== undefined && r.custom.score > v,
      ],
    ),
  fc
    .constantFrom('x', 'y', 'xy')
    .map((v): Filter => [{ custom: { tag: v } }, (r) => r.custom.tag === v]),
  fc
    .constantFrom('x', 'y')
    .map(
      (v): Filter => [
        { custom: { tag: { startsWith: v } } },
        (r) => r.custom.tag?.startsWith(v) ?? false,
      ],
    ),
  fc.constant<Filter>([{ custom: { score: null } }, (r) => r.custom.score === undefined]),
);

describe('whereConditions', () => {
  it('matches exactly the rows a JavaScript reference matches, for every operator', async () => {
    await fc.assert(
      fc.asyncProperty(
        rowsArbitrary,
        fc.array(filterArbitrary, { minLength: 1, maxLength: 2 }),
        async (rows, filters) => {
          await load(rows);
          const where: Record<string, unknown> = {};
          const custom: Record<string, unknown> = {};
          for (const [filter] of filters) {
            const { custom: customFilter, ...plain } = filter as {
              custom?: Record<string, unknown>;
            };
            Object.assign(where, plain);
            Object.assign(custom, customFilter);
          }
          if (Object.keys(custom).length > 0) where.custom = custom;
          // A later filter on the same key replaces an earlier one, as in the object above.
          const effective = filters.filter(
            ([filter], index) =>
              !filters.slice(index + 1).some(([later]) => sameKeys(filter, later)),
          );
          const expected = rows
            .filter((row) => effective.every(([, predicate]) => predicate(row)))
            .map((row) => row.id)
            .sort();
          expect(await idsWhere(where)).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects unknown fields, unknown custom fields and bad operators with the path', () => {
    const attempts: [Record<string, unknown>, (string | number)[]][] = [
      [{ bogus: 1 }, ['where', 'bogus']],
      [{ custom: { bogus: 1 } }, ['where', 'custom', 'bogus']],
      [{ custom: 5 }, ['where', 'custom']],
      [{ amount: { like: '%' } }, ['where', 'amount']],
      [{ amount: { in: 3 } }, ['where', 'amount', 'in']],
      [{ name: { startsWith: 3 } }, ['where', 'name', 'startsWith']],
      // Values are checked against the field's column kind (issue 12.3).
      [{ closeDate: { gte: '2026-02-30' } }, ['where', 'closeDate', 'gte']],
      [{ closeDate: '2026-13-01' }, ['where', 'closeDate']],
      [{ closeDate: { in: ['2026-01-01', '2026-04-31'] } }, ['where', 'closeDate', 'in', '1']],
      [{ closeDate: { startsWith: '2026' } }, ['where', 'closeDate', 'startsWith']],
      [{ createdAt: { lt: 'yesterday' } }, ['where', 'createdAt', 'lt']],
      [{ amount: { gt: Number.NaN } }, ['where', 'amount', 'gt']],
      [{ amount: 1.5 }, ['where', 'amount']],
      [{ amount: [1] }, ['where', 'amount']],
      [{ name: { eq: { a: 1 } } }, ['where', 'name', 'eq']],
      [{ name: 7 }, ['where', 'name']],
      [
        { custom: { score: { gte: Number.POSITIVE_INFINITY } } },
        ['where', 'custom', 'score', 'gte'],
      ],
      [{ custom: { tag: 'a\u0000' } }, ['where', 'custom', 'tag']],
    ];
    for (const [where, path] of attempts) {
      let caught: unknown;
      try {
        db.selectFrom('opportunities as t').where((eb) =>
          eb.and(whereConditions(eb, where, options)),
        );
      } catch (error) {
        caught = error;
      }
      expect(isRapportError(caught, 'VALIDATION'), JSON.stringify(where)).toBe(true);
      if (isRapportError(caught)) expect(caught.issues[0]?.path).toEqual(path);
    }
  });

  it('knows the system fields and the object fields', () => {
    const fields = queryableFields(opportunityObject);
    for (const field of [
      'id',
      'tenantId',
      'version',
      'createdAt',
      'externalId',
      'amount',
      'stage',
    ]) {
      expect(fields.has(field)).toBe(true);
    }
    expect(fields.has('custom')).toBe(false);
    expect(fields.has('bogus')).toBe(false);
  });
});

function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keyOf = (filter: Record<string, unknown>) =>
    'custom' in filter
      ? `custom.${Object.keys(filter.custom as object).join()}`
      : Object.keys(filter).join();
  return keyOf(a) === keyOf(b);
}

describe('cursors', () => {
  it('round-trip their value and id', () => {
    const byField: Record<string, readonly unknown[]> = {
      amount: [null, 0, -5],
      probability: [12.5],
      name: ['deal-1', 'Über 😀'],
      createdAt: ['2026-01-01T00:00:00.000Z'],
      closeDate: ['2024-02-29'],
    };
    for (const [field, values] of Object.entries(byField)) {
      for (const cursorValue of values) {
        const cursor = { value: cursorValue, id: '01a2-id' };
        expect(decodeCursor(opportunityObject, field, encodeCursor(cursor))).toEqual(cursor);
      }
    }
    expect(encodeCursor({ value: 'x', id: 'y' })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('that were not made by list are a VALIDATION error on `cursor`', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const garbage: [field: string, text: string][] = [
      ['name', ''],
      ['name', 'not base64!'],
      ['name', forged({ a: 1 })],
      ['name', forged([1, 2])],
      ['name', forged(['a', 'b', 'c'])],
      ['name', forged([1, 'id'])],
      ['name', forged([{ a: 1 }, 'id'])],
      ['name', forged(['a\u0000', 'id'])],
      ['name', forged(['a', 'id\u0000'])],
      ['amount', forged(['x', 'id'])],
      ['amount', forged([1.5, 'id'])],
      ['amount', forged([true, 'id'])],
      ['probability', forged([[1], 'id'])],
      ['closeDate', forged(['2026-02-30', 'id'])],
      ['createdAt', forged(['yesterday', 'id'])],
    ];
    for (const [field, text] of garbage) {
      let caught: unknown;
      try {
        decodeCursor(opportunityObject, field, text);
      } catch (error) {
        caught = error;
      }
      expect(isRapportError(caught, 'VALIDATION'), `${field} ${text}`).toBe(true);
      if (isRapportError(caught)) expect(caught.issues[0]?.path).toEqual(['cursor']);
    }
  });

  it('keyset pages visit every row exactly once in the list order, nulls first ascending', async () => {
    await fc.assert(
      fc.asyncProperty(
        rowsArbitrary,
        fc.constantFrom('asc' as const, 'desc' as const),
        fc.integer({ min: 1, max: 4 }),
        async (rows, direction, limit) => {
          await load(rows);
          const sign = direction === 'asc' ? 1 : -1;
          const expected = [...rows]
            .sort((a, b) => {
              if (a.amount !== b.amount) {
                if (a.amount === null) return -sign;
                if (b.amount === null) return sign;
                return (a.amount - b.amount) * sign;
              }
              return (a.id < b.id ? -1 : 1) * sign;
            })
            .map((row) => row.id);
          const seen: string[] = [];
          let cursor: { value: unknown; id: string } | undefined;
          for (let page = 0; page <= rows.length; page++) {
            const after = cursor;
            const items = await db
              .selectFrom('opportunities as t')
              .select(['t.id', 't.amount'])
              .where((eb) =>
                after ? afterCursor(eb, 't', 'amount', direction, after) : eb.and([]),
              )
              .orderBy(
                direction === 'asc'
                  ? sql`${sql.ref('t.amount')} asc nulls first`
                  : sql`${sql.ref('t.amount')} desc nulls last`,
              )
              .orderBy('t.id', direction)
              .limit(limit)
              .execute();
            seen.push(...items.map((item) => String(item.id)));
            const last = items[items.length - 1];
            if (items.length < limit || !last) break;
            cursor = decodeCursor(
              opportunityObject,
              'amount',
              encodeCursor({ value: last.amount ?? null, id: String(last.id) }),
            );
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});
