/** The database `rapport` uses when neither `--db` nor `RAPPORT_DB` names one. */
export const defaultDatabase = 'rapport-demo.sqlite';

/** The tenant `rapport` uses when neither `--tenant` nor `RAPPORT_TENANT` names one. */
export const defaultTenant = 'demo';

/**
 * Where the database is: `--db`, else the `RAPPORT_DB` environment variable, else
 * `rapport-demo.sqlite`. A `postgres://` URL selects PostgreSQL, anything else is a SQLite file.
 *
 * @example
 * databaseLocation(undefined, { RAPPORT_DB: 'crm.sqlite' }); // 'crm.sqlite'
 */
export function databaseLocation(option: string | undefined, env = process.env): string {
  return option ?? env.RAPPORT_DB ?? defaultDatabase;
}

/**
 * The tenant: `--tenant`, else `RAPPORT_TENANT`, else `demo`.
 *
 * @example
 * tenantId(undefined, {}); // 'demo'
 */
export function tenantId(option: string | undefined, env = process.env): string {
  return option ?? env.RAPPORT_TENANT ?? defaultTenant;
}

/**
 * Whether a database location is a PostgreSQL URL.
 *
 * @example
 * isPostgresUrl('postgres://postgres@127.0.0.1:5432/test'); // true
 */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
