import type { RapportStorage } from '@rapport/core';

// kysely's driver types, reached through the storage contract (kysely comes with @rapport/core).
type Driver = ReturnType<RapportStorage['dialect']['createDriver']>;
type DatabaseConnection = Awaited<ReturnType<Driver['acquireConnection']>>;

/**
 * The statements a storage ran, for tests that prove how many queries an operation costs.
 *
 * @example
 * log.reset();
 * await scope.kpis.evaluate(ids);
 * log.statements.length; // how many queries that cost
 */
export interface QueryLog {
  /** SQL of every data statement (select, insert, update, delete, with) since the last reset. */
  readonly statements: readonly string[];
  /** Forgets what was logged. */
  reset(): void;
}

const dataStatement = /^\s*\(?\s*(select|insert|update|delete|with)\b/i;

/**
 * Wraps a storage so that every statement its connections execute is logged, without changing
 * what runs: the same driver, the same database. For fusion tests ("the dashboard is a handful of
 * queries") and for plugin authors who want the same proof.
 *
 * @example
 * const { storage, log } = countQueries(sqliteStorage());
 * const crm = createCrm({ storage, plugins: [closingPlugin] });
 * log.reset();
 * await scope.kpis.evaluate(['closing.winRate', 'closing.wonRevenue']);
 * log.statements.length; // a handful
 */
export function countQueries<TStorage extends RapportStorage>(
  storage: TStorage,
): { readonly storage: TStorage; readonly log: QueryLog } {
  const statements: string[] = [];
  const patched = new WeakSet<DatabaseConnection>();
  const patch = (connection: DatabaseConnection): DatabaseConnection => {
    if (patched.has(connection)) return connection;
    patched.add(connection);
    const execute = connection.executeQuery.bind(connection);
    connection.executeQuery = (query) => {
      if (dataStatement.test(query.sql)) statements.push(query.sql);
      return execute(query);
    };
    return connection;
  };
  const inner = storage.dialect;
  const dialect: RapportStorage['dialect'] = {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: (): Driver => {
      const driver = inner.createDriver();
      // A proxy keeps the driver's own methods (and `this`) and only taps acquired connections.
      return new Proxy(driver, {
        get(target, property) {
          if (property === 'acquireConnection')
            return async () => patch(await target.acquireConnection());
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
  return {
    storage: { ...storage, dialect },
    log: {
      statements,
      reset: () => {
        statements.length = 0;
      },
    },
  };
}
