import { RapportError, type RapportStorage } from '@rapport/core';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Driver,
  PostgresDialect,
  type PostgresPool,
} from 'kysely';
import pg from 'pg';
import { defaultReserved, serverIsLocal } from './default-reserved.js';
import { postgresColumnTypes, postgresDialectSql } from './postgres-dialect-sql.js';
import { applyTypeParsers, rapportTypeParsers } from './postgres-types.js';
import { ReservingDriver, type ReservingDriverOptions } from './reserving-driver.js';
import { type IntrospectedDatabase, SchemaIntrospector } from './schema-introspector.js';

/**
 * Options of {@link postgresStorage}: a connection string (the storage makes and owns a pool) or
 * a pool the application made.
 *
 * @example
 * const config: PostgresStorageConfig = {
 *   connectionString: 'postgres://postgres@127.0.0.1:5432/crm',
 *   max: 20,
 * };
 */
export interface PostgresStorageConfig {
  /** A libpq URL such as `postgres://user@host:5432/db`. */
  readonly connectionString?: string;
  /**
   * A pool the application made. Rapport installs its type parsers on each client it takes from
   * it, and `crm.destroy()` ends it.
   */
  readonly pool?: pg.Pool;
  /** Size of the pool made from `connectionString` (default 10). */
  readonly max?: number;
  /**
   * How many of the pool's connections long statements (each of their latest runs, up to 8, over
   * 10 ms: a dashboard's aggregates) never take, so a list or a write issued while dashboards
   * compute does not wait for one to finish. Default: a quarter of the pool, at least 1; for a
   * server on this machine (it shares the cores), enough that long statements run at most one
   * per core (a host of this machine, a socket directory, or no host and no remote `PGHOST`).
   */
  readonly reservedConnections?: number;
  /**
   * The schema Rapport's tables live in: it is the only entry of every connection's
   * `search_path`, and is created on first use when missing. Default: the server's search path.
   */
  readonly schema?: string;
}

/**
 * The Postgres storage, with its pg pool for tools that need it (health checks, bench).
 *
 * @example
 * const storage = postgresStorage({ connectionString: process.env.DATABASE_URL });
 * await storage.pool.query('select 1');
 */
export interface PostgresStorage extends RapportStorage {
  /** The pg pool. */
  readonly pool: pg.Pool;
  /** The schema given in the config, if any. */
  readonly schema: string | undefined;
}

/** Quotes an SQL identifier. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Hands out the caller's pool's clients with Rapport's type parsers installed. */
function withTypeParsers(pool: pg.Pool): PostgresPool {
  const prepared = new WeakSet<pg.PoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      if (!prepared.has(client)) {
        applyTypeParsers(client);
        prepared.add(client);
      }
      return client;
    },
    end: () => pool.end(),
  };
}

/**
 * PostgresDialect whose introspection sees only Rapport's schema (see SchemaIntrospector) and
 * whose driver keeps connections for short statements (see ReservingDriver).
 */
class SchemaScopedPostgresDialect extends PostgresDialect {
  readonly #schema: string | undefined;
  readonly #reserving: ReservingDriverOptions;

  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    schema: string | undefined,
    reserving: ReservingDriverOptions,
  ) {
    super(config);
    this.#schema = schema;
    this.#reserving = reserving;
  }

  override createDriver(): Driver {
    return new ReservingDriver(super.createDriver(), this.#reserving);
  }

  override createIntrospector(db: IntrospectedDatabase): DatabaseIntrospector {
    return new SchemaIntrospector(db, this.#schema);
  }
}

/** Cancels a backend's running statement from a short-lived connection, within 5 seconds. */
async function cancelBackend(options: pg.PoolConfig, backend: number): Promise<void> {
  const client = new pg.Client(options);
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
  const cancel = (async () => {
    try {
      await client.connect();
      await client.query('select pg_cancel_backend($1)', [backend]);
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  // A cancel that cannot connect must not hold the statement's connection back for ever.
  await Promise.race([cancel.catch(() => undefined), timeout]);
}

/**
 * Rapport storage on PostgreSQL through `pg` and kysely, for teams that outgrow one SQLite file.
 * Records read back exactly as on SQLite: numbers as numbers, instants as ISO-8601 strings, days
 * as `YYYY-MM-DD`. Every connection runs in UTC.
 *
 * @example
 * import { createCrm } from '@rapport/core';
 * import { postgresStorage } from '@rapport/postgres';
 *
 * const crm = createCrm({
 *   storage: postgresStorage({ connectionString: 'postgres://postgres@127.0.0.1:5432/crm' }),
 * });
 * await crm.migrate();
 */
export function postgresStorage(config: PostgresStorageConfig): PostgresStorage {
  if (!config.pool && !config.connectionString) {
    throw new RapportError('UNSUPPORTED', 'postgresStorage needs a connectionString or a pool');
  }
  const pool =
    config.pool ??
    new pg.Pool({
      connectionString: config.connectionString,
      max: config.max ?? 10,
      types: rapportTypeParsers(),
    });
  const schema = config.schema;
  const backends = new WeakMap<DatabaseConnection, number>();
  const onCreateConnection = async (connection: DatabaseConnection) => {
    if (schema !== undefined) {
      await connection.executeQuery(
        CompiledQuery.raw(`set search_path to ${quoteIdentifier(schema)}`),
      );
    }
    // Days cast to instants (daysBetween) and `now()` then mean UTC, as on SQLite.
    await connection.executeQuery(CompiledQuery.raw(`set time zone 'UTC'`));
    // Its backend, so that a statement of an abandoned evaluation can be cancelled on it.
    const { rows } = await connection.executeQuery<{ pid: number }>(
      CompiledQuery.raw('select pg_backend_pid() as pid'),
    );
    if (rows[0]) backends.set(connection, Number(rows[0].pid));
  };
  const poolSize = pool.options.max ?? 10;
  const reserved =
    config.reservedConnections ??
    defaultReserved(
      poolSize,
      serverIsLocal(config.pool?.options ?? { connectionString: config.connectionString }),
    );
  if (!Number.isInteger(reserved) || reserved < 0) {
    throw new RapportError(
      'UNSUPPORTED',
      `reservedConnections must be a whole number >= 0, got ${String(reserved)}`,
    );
  }
  const dialect = new SchemaScopedPostgresDialect(
    { pool: config.pool ? withTypeParsers(config.pool) : pool, onCreateConnection },
    schema,
    {
      poolSize,
      reserved,
      backendOf: (connection) => backends.get(connection),
      // On a connection of its own, not the pool's: when every pooled connection runs a
      // statement of an abandoned evaluation, each waits for its cancel before it is released,
      // so a cancel queued on the pool would wait for ever.
      cancel: (backend) => cancelBackend(pool.options, backend),
    },
  );
  return {
    name: 'postgres',
    pool,
    schema,
    dialect,
    types: postgresColumnTypes,
    sql: postgresDialectSql,
    concurrentTransactions: true,
    async onOpen() {
      if (schema !== undefined) {
        await pool.query(`create schema if not exists ${quoteIdentifier(schema)}`);
      }
    },
  };
}
