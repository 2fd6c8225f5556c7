import pg from 'pg';

/** Type OIDs of the Postgres types whose default JavaScript form differs from SQLite's. */
const oids = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  timestamptz: 1184,
  json: 114,
  jsonb: 3802,
} as const;

type TextParser = (text: string) => unknown;

// Reading pg's default parser is not changing it: the global registry stays untouched. The cast
// picks the text-format overload's result, which pg-types types as `any`.
const parseDefaultTimestamp = pg.types.getTypeParser(oids.timestamptz, 'text') as TextParser;

/**
 * Parsers that make rows read from Postgres equal to rows read from SQLite: whole numbers and
 * sums as numbers (money is at most 2^53 minor units, so `Number` is exact), instants as ISO-8601
 * strings like `Date#toISOString()`, days as `YYYY-MM-DD`, and JSON as its text (the engine parses
 * it with `DialectSql.parseJson`, as it does on SQLite).
 */
const textParsers: ReadonlyArray<readonly [number, TextParser]> = [
  [oids.int8, Number],
  [oids.numeric, Number],
  [oids.date, (text) => text],
  [
    oids.timestamptz,
    (text) => {
      const value = parseDefaultTimestamp(text);
      // `infinity` and `-infinity` have no Date; they stay as Postgres spells them.
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : text;
    },
  ],
  [oids.json, (text) => text],
  [oids.jsonb, (text) => text],
];

/**
 * Type parsers for one pool, passed as pg's `types` option so that the process-wide `pg.types`
 * registry, which other code in the process may rely on, is never changed.
 *
 * @example
 * const pool = new pg.Pool({ connectionString, types: rapportTypeParsers() });
 */
export function rapportTypeParsers(): pg.CustomTypesConfig {
  const overrides = new pg.TypeOverrides();
  for (const [oid, parse] of textParsers) overrides.setTypeParser(oid, 'text', parse);
  return overrides;
}

/** @internal What {@link applyTypeParsers} needs of a pg client. */
export interface TypeParserTarget {
  setTypeParser(oid: number, format: 'text', parse: TextParser): void;
}

/**
 * @internal Installs the same parsers on one client of a pool that the caller created, where the
 * `types` option was not ours to set. The client keeps them; the global registry is untouched.
 */
export function applyTypeParsers(client: TypeParserTarget): void {
  for (const [oid, parse] of textParsers) client.setTypeParser(oid, 'text', parse);
}
