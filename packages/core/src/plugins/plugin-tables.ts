/**
 * The kinds a plugin table's column can have, as the value a query reads: `text`, `timestamp`
 * (ISO-8601 UTC) and `date` (`YYYY-MM-DD`) read as strings, `integer` and `real` as numbers. A
 * trailing `?` makes the column nullable. Booleans and JSON are left out on purpose: SQLite and
 * Postgres read them back differently, so a plugin stores them as integer or text and says so.
 *
 * @example
 * const columns = { tenantId: 'text', score: 'integer', answeredAt: 'timestamp?' } satisfies PluginTableColumns;
 */
export type PluginColumnKind = 'text' | 'integer' | 'real' | 'timestamp' | 'date';

/** A column declaration: its kind, optionally nullable (`'text?'`). */
export type PluginColumn = PluginColumnKind | `${PluginColumnKind}?`;

/** The columns of one plugin table, by camelCase name (the engine's CamelCasePlugin maps them). */
export type PluginTableColumns = Readonly<Record<string, PluginColumn>>;

/**
 * The tables a plugin owns, by camelCase table name. Declaring them gives the plugin a typed
 * kysely in `init(ctx)` and in its hooks; the plugin's migrations create them.
 *
 * @example
 * const tables = { npsResponses: { tenantId: 'text', id: 'text', score: 'integer' } } satisfies PluginTables;
 */
export type PluginTables = Readonly<Record<string, PluginTableColumns>>;

interface ColumnValues {
  text: string;
  integer: number;
  real: number;
  timestamp: string;
  date: string;
}

/** The value type of a declared column. */
export type PluginColumnValue<TColumn> = TColumn extends `${infer TKind extends PluginColumnKind}?`
  ? ColumnValues[TKind] | null
  : TColumn extends PluginColumnKind
    ? ColumnValues[TColumn]
    : never;

/** A row of a declared plugin table. */
export type PluginRow<TColumns extends PluginTableColumns> = {
  -readonly [TName in keyof TColumns]: PluginColumnValue<TColumns[TName]>;
};

/**
 * The kysely database interface of a plugin's declared tables.
 *
 * @example
 * type Db = PluginDatabase<{ npsResponses: { id: 'text'; score: 'integer' } }>;
 * // { npsResponses: { id: string; score: number } }
 */
export type PluginDatabase<TTables extends PluginTables> = {
  -readonly [TTable in keyof TTables]: PluginRow<TTables[TTable]>;
};

const kinds: ReadonlySet<string> = new Set<PluginColumnKind>([
  'text',
  'integer',
  'real',
  'timestamp',
  'date',
]);

/**
 * The problems with a plugin's table declarations, as sentences; empty when they are sound.
 * Runs in `createCrm`, so a misspelt kind fails at startup, not at the first query.
 */
export function pluginTableProblems(pluginId: string, tables: PluginTables | undefined): string[] {
  const problems: string[] = [];
  for (const [table, columns] of Object.entries(tables ?? {})) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(table)) {
      problems.push(`plugin ${pluginId}: table name ${table} is not camelCase`);
    }
    for (const [column, kind] of Object.entries(columns)) {
      const base = kind.endsWith('?') ? kind.slice(0, -1) : kind;
      if (!kinds.has(base)) {
        problems.push(
          `plugin ${pluginId}: column ${table}.${column} has kind ${kind}; use one of ${[...kinds].join(', ')} (append ? for nullable)`,
        );
      }
    }
  }
  return problems;
}
