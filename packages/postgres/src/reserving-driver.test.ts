import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { postgresStorage } from './postgres-storage.js';
import { describePostgres, postgresUrl } from './test-database.js';

const storages: ReturnType<typeof postgresStorage>[] = [];
afterAll(async () => {
  for (const storage of storages) if (!storage.pool.ended) await storage.pool.end();
});

function database(max: number, reservedConnections?: number) {
  const storage = postgresStorage({
    connectionString: postgresUrl,
    max,
    ...(reservedConnections === undefined ? {} : { reservedConnections }),
  });
  storages.push(storage);
  return new Kysely<Record<string, never>>({ dialect: storage.dialect });
}

/** Runs the statements, each `after` ms from the start, and returns their labels as they answered. */
async function answerOrder(
  db: Kysely<Record<string, never>>,
  statements: readonly { label: string; seconds: number; after?: number }[],
): Promise<string[]> {
  const order: string[] = [];
  await Promise.all(
    statements.map(async ({ label, seconds, after }) => {
      if (after) await new Promise((resolve) => setTimeout(resolve, after));
      await sql`select pg_sleep(${sql.lit(seconds)})`.execute(db);
      order.push(label);
    }),
  );
  return order;
}

/** Both of a 2-connection pool's connections open, and `select pg_sleep(seconds)` known as long. */
async function warm(db: Kysely<Record<string, never>>, seconds: number): Promise<void> {
  await Promise.all([sql`select 1`.execute(db), sql`select 2`.execute(db)]);
  await sql`select pg_sleep(${sql.lit(seconds)})`.execute(db);
}

describePostgres('connections kept for short statements', () => {
  test('a short statement issued after more long ones than the pool holds answers first', async () => {
    // Once, so the driver knows it runs long; a statement it has not seen counts as short.
    const statements = [
      { label: 'long 1', seconds: 0.3 },
      { label: 'long 2', seconds: 0.3 },
      { label: 'long 3', seconds: 0.3 },
      { label: 'short', seconds: 0, after: 100 },
    ];
    const db = database(2, 1);
    await warm(db, 0.3);
    expect((await answerOrder(db, statements))[0]).toBe('short');
    // The same with nothing reserved: both connections run long ones, and the short one waits.
    const unreserved = database(2, 0);
    await warm(unreserved, 0.3);
    expect((await answerOrder(unreserved, statements))[0]).not.toBe('short');
    await unreserved.destroy();
    await db.destroy();
  });

  test('long statements take at most the pool size less the reserved connections', async () => {
    const db = database(3, 1);
    await sql`select pg_sleep(${sql.lit(0.4)})`.execute(db);
    const running = answerOrder(db, [
      { label: 'long 1', seconds: 0.4 },
      { label: 'long 2', seconds: 0.4 },
      { label: 'long 3', seconds: 0.4 },
      { label: 'long 4', seconds: 0.4 },
    ]);
    let done = false;
    void running.finally(() => {
      done = true;
    });
    // Sampled until the four are done, not once at a fixed time: on a busy machine the pool's
    // connections open late, and a single look could see fewer than the limit.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    let most = 0;
    while (!done) {
      const { rows } = await admin.query<{ count: string }>(
        `select count(*) as count from pg_stat_activity
         where datname = current_database() and query like 'select pg_sleep(0.4)%'
           and state = 'active' and pid <> pg_backend_pid()`,
      );
      most = Math.max(most, Number(rows[0]?.count));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.end();
    expect(most).toBe(2);
    expect((await running).sort()).toEqual(['long 1', 'long 2', 'long 3', 'long 4']);
    await db.destroy();
  });

  test('transactions keep their one connection from begin to commit', async () => {
    const db = database(2);
    const pids = await db.transaction().execute(async (tx) => {
      const first = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      const second = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      return [first.rows[0]?.pid, second.rows[0]?.pid];
    });
    expect(pids[0]).toBeTypeOf('number');
    expect(pids[1]).toBe(pids[0]);
    await db.destroy();
  });

  test('a reservation that is not a whole number is refused', () => {
    expect(() =>
      postgresStorage({ connectionString: postgresUrl, reservedConnections: 1.5 }),
    ).toThrow(/reservedConnections must be a whole number/);
  });
});
