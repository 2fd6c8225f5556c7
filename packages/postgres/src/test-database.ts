import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { type PostgresStorage, postgresStorage } from './postgres-storage.js';

/**
 * The server the Postgres tests use: `RAPPORT_PG_URL`, or the local default. Test helper, not
 * part of the package's API (it is not exported from index.ts).
 */
export const postgresUrl = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unreachable = await probe();
if (unreachable !== undefined && process.env.CI === 'true') {
  throw new Error(`Postgres at ${postgresUrl} is required under CI=true: ${unreachable}`);
}
if (unreachable !== undefined) announceSkipOnce(unreachable);

/** Whether the Postgres tests run in this process. */
export const postgresAvailable = unreachable === undefined;

/**
 * Prints the skip notice once per test run, not once per test file: each file runs in its own
 * module graph, so a marker file named after the run's main process says it was printed.
 */
function announceSkipOnce(reason: string): void {
  const runId = typeof process.send === 'function' ? process.ppid : process.pid;
  try {
    writeFileSync(join(tmpdir(), `rapport-pg-skip-${runId}`), '', { flag: 'wx' });
  } catch {
    return;
  }
  console.warn(
    `Postgres tests skipped (${postgresUrl}: ${reason}); to run them, start Postgres ` +
      '(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set RAPPORT_PG_URL.',
  );
}

/** `describe` that skips when no Postgres is reachable (never under CI=true, which fails above). */
export function describePostgres(name: string, body: () => void): void {
  describe.skipIf(!postgresAvailable)(name, body);
}

/** Fresh schemas on the test server, each with its own storage; `cleanup` drops them all. */
export interface TestDatabase {
  /** A storage on a new empty schema (created on first use). */
  storage(options?: { readonly max?: number }): PostgresStorage;
  /** Ends every pool this helper made and drops every schema it named. */
  cleanup(): Promise<void>;
}

/**
 * Makes a test database handle whose schemas are named after `label`, unique per process and
 * call, so test files running side by side (and several runs on one server) never meet.
 */
export function createTestDatabase(label: string): TestDatabase {
  const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
  const storages: PostgresStorage[] = [];
  const prefix = `rapport_${label.replaceAll(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  return {
    storage(options = {}) {
      const schema = `${prefix}_${process.pid}_${storages.length}_${randomBytes(3).toString('hex')}`;
      const storage = postgresStorage({
        connectionString: postgresUrl,
        schema,
        max: options.max ?? 4,
      });
      storages.push(storage);
      return storage;
    },
    async cleanup() {
      for (const storage of storages) {
        if (!storage.pool.ended) await storage.pool.end();
        await admin.query(`drop schema if exists "${storage.schema}" cascade`);
      }
      await admin.end();
    },
  };
}
