import {
  type ColumnMetadata,
  type DatabaseIntrospector,
  type DatabaseMetadataOptions,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type Kysely,
  type PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

/** The Kysely instance a dialect's introspector is made for. */
export type IntrospectedDatabase = Parameters<PostgresDialect['createIntrospector']>[0];

const kyselyTables = new Set([DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE]);

interface ColumnRow {
  table: string;
  kind: string;
  name: string;
  datatype: string;
  datatypeschema: string;
  notnull: boolean;
  hasdefault: boolean;
  serial: string | null;
  description: string | null;
}

/**
 * @internal Introspection of one schema: the configured one, else `current_schema()`.
 *
 * kysely's PostgresIntrospector lists every schema of the database, which breaks Rapport twice:
 * the Migrator then finds another schema's `kysely_migration` and never creates its own, and a
 * schema dropped while the catalog is scanned fails the query ("schema ... does not exist").
 */
export class SchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;
  readonly #schema: string | undefined;

  constructor(db: IntrospectedDatabase, schema: string | undefined) {
    this.#db = db;
    this.#schema = schema;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`
      select nspname as name from pg_catalog.pg_namespace order by nspname`.execute(this.#db);
    return rows;
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const schema = this.#schema === undefined ? sql`current_schema()` : sql`${this.#schema}::text`;
    const { rows } = await sql<ColumnRow & { schema: string }>`
      select c.relname as table, c.relkind as kind, ns.nspname as schema, a.attname as name,
        typ.typname as datatype, dtns.nspname as datatypeschema, a.attnotnull as notnull,
        a.atthasdef as hasdefault,
        pg_get_serial_sequence(quote_ident(ns.nspname) || '.' || quote_ident(c.relname), a.attname)
          as serial,
        col_description(a.attrelid, a.attnum) as description
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_class c on a.attrelid = c.oid
      join pg_catalog.pg_namespace ns on c.relnamespace = ns.oid
      join pg_catalog.pg_type typ on a.atttypid = typ.oid
      join pg_catalog.pg_namespace dtns on typ.typnamespace = dtns.oid
      where ns.nspname = ${schema}
        and c.relkind in ('r', 'v', 'p')
        and a.attnum >= 0
        and not a.attisdropped
      order by c.relname, a.attnum`.execute(this.#db);
    const tables = new Map<string, TableMetadata & { columns: ColumnMetadata[] }>();
    for (const row of rows) {
      if (!options.withInternalKyselyTables && kyselyTables.has(row.table)) continue;
      let table = tables.get(row.table);
      if (!table) {
        table = { name: row.table, schema: row.schema, isView: row.kind === 'v', columns: [] };
        tables.set(row.table, table);
      }
      table.columns.push({
        name: row.name,
        dataType: row.datatype,
        dataTypeSchema: row.datatypeschema,
        isNullable: !row.notnull,
        hasDefaultValue: row.hasdefault,
        isAutoIncrementing: row.serial !== null,
        ...(row.description === null ? {} : { comment: row.description }),
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions) {
    return { tables: await this.getTables(options) };
  }
}
