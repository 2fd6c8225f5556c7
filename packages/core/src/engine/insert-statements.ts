import { CompiledQuery, type Kysely } from 'kysely';
import type { AnyDatabase } from '../storage/migration-context.js';

/** How many insert texts one engine keeps (table x column list x rows per statement). */
const cacheSize = 200;

const textsByDatabase = new WeakMap<Kysely<AnyDatabase>, Map<string, string | null>>();

/**
 * @internal The SQL of a multi-row INSERT of `rows` rows into `table` with `columns`, compiled
 * by kysely once (with the engine's plugins and dialect) and reused: compiling the query tree of
 * every insert cost more than running it. Parameters are row after row, column after column.
 * Undefined when kysely's text does not bind exactly one parameter per value, in order (then the
 * caller builds the query as usual).
 */
export function insertText(
  db: Kysely<AnyDatabase>,
  table: string,
  columns: readonly string[],
  rows: number,
): string | undefined {
  let texts = textsByDatabase.get(db);
  if (!texts) {
    texts = new Map();
    textsByDatabase.set(db, texts);
  }
  const key = `${table}\n${rows}\n${columns.join(',')}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = compileInsert(db, table, columns, rows);
    if (texts.size >= cacheSize) texts.clear();
    texts.set(key, text);
  }
  return text ?? undefined;
}

function compileInsert(
  db: Kysely<AnyDatabase>,
  table: string,
  columns: readonly string[],
  rows: number,
): string | null {
  // Each value a distinct marker, so the check below proves where every one is bound.
  const values: Record<string, string>[] = [];
  for (let row = 0; row < rows; row++) {
    const markers: Record<string, string> = {};
    for (const [index, column] of columns.entries()) markers[column] = `\u0000${row}:${index}`;
    values.push(markers);
  }
  const compiled = db.insertInto(table).values(values).compile();
  const { parameters } = compiled;
  if (parameters.length !== rows * columns.length) return null;
  for (let row = 0; row < rows; row++) {
    for (let index = 0; index < columns.length; index++) {
      if (parameters[row * columns.length + index] !== `\u0000${row}:${index}`) return null;
    }
  }
  return compiled.sql;
}

/** @internal A compiled query of a cached SQL text with its parameters. */
export function compiledInsert(text: string, parameters: readonly unknown[]): CompiledQuery {
  // Cast: kysely types parameters as mutable; it only reads them.
  return CompiledQuery.raw(text, parameters as unknown[]);
}
