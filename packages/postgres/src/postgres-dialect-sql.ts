import type { ColumnTypes, DialectSql, StorageErrorKind } from '@rapport/core';
import { sql } from 'kysely';

/**
 * Column types on Postgres: money and counts as `bigint`, instants as `timestamptz`, days as
 * `date` and documents as `jsonb`.
 *
 * @example
 * postgresColumnTypes.timestamp; // 'timestamptz'
 */
export const postgresColumnTypes: ColumnTypes = {
  text: 'text',
  bigint: 'bigint',
  integer: 'integer',
  double: 'double precision',
  timestamp: 'timestamptz',
  date: 'date',
  json: 'jsonb',
};

/** SQLSTATE codes, see https://www.postgresql.org/docs/current/errcodes-appendix.html */
const errorKinds: Readonly<Record<string, StorageErrorKind>> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '40001': 'serialization',
  '40P01': 'serialization',
  '42P01': 'missing_table',
};

/**
 * The SQL that differs on Postgres.
 *
 * @example
 * postgresDialectSql.classifyError({ code: '23505' }); // 'unique'
 */
export const postgresDialectSql: DialectSql = {
  jsonValue(json, key, kind) {
    // The key is bound as text: `->>` also takes an integer (an array index).
    const text = sql`(${json} ->> ${key}::text)`;
    return kind === 'number' ? sql`cast(${text} as numeric)` : text;
  },
  daysBetween(from, to) {
    // Days are cast to midnight UTC (every connection runs in UTC), like SQLite's julianday.
    return sql<number>`(extract(epoch from (${to}::timestamptz - ${from}::timestamptz)) / 86400)::double precision`;
  },
  jsonParameter: (value) => JSON.stringify(value),
  // JSON columns are read as text (see postgres-types.ts), exactly as on SQLite.
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  classifyError(error) {
    // pg's DatabaseError carries the SQLSTATE in `code`; anything thrown may arrive here.
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? errorKinds[code] : undefined;
  },
};
