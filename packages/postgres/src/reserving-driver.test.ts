import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { postgresStorage } from './postgres-storage.js';
import { ReservingDriver } from './reserving-driver.js';
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

/** A storage's driver, not initialised (no connection is opened). */
function driverOf(): ReservingDriver {
  const driver = postgresStorage({ connectionString: postgresUrl }).dialect.createDriver();
  if (!(driver instanceof ReservingDriver)) throw new Error('the storage has no ReservingDriver');
  return driver;
}

describe('which statements count as long', () => {
  test('a statement is long only when each of its latest runs was', () => {
    const driver = driverOf();
    const lookup = 'select * from "tenants" where "id" = $1';
    driver.remember(lookup, 1);
    // Slowed down by a busy machine a few times: still short, it ran fast among them.
    for (let run = 0; run < 7; run++) driver.remember(lookup, 40);
    expect(driver.long(lookup)).toBe(false);
    // An eighth slow run pushes the fast one out: every kept run was slow.
    driver.remember(lookup, 40);
    expect(driver.long(lookup)).toBe(true);
    driver.remember(lookup, 2);
    expect(driver.long(lookup)).toBe(false);
  });

  test('a new statement is short for its first run, and its copies meanwhile are long', () => {
    const driver = driverOf();
    const aggregate = 'select count(*) from "opportunities"';
    expect(driver.startsFirstRun(aggregate)).toBe(true);
    expect(driver.startsFirstRun(aggregate)).toBe(false);
    expect(driver.long(aggregate)).toBe(true);
    // The first run failed before it had a time: the next one is a first run again.
    driver.firstRunOver(aggregate);
    expect(driver.long(aggregate)).toBe(false);
    expect(driver.startsFirstRun(aggregate)).toBe(true);
    driver.remember(aggregate, 900);
    driver.firstRunOver(aggregate);
    expect(driver.startsFirstRun(aggregate)).toBe(false);
    expect(driver.long(aggregate)).toBe(true);
  });
});

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

  test('a short statement that ran slowly a few times still does not wait for the long ones', async () => {
    const db = database(2, 1);
    await warm(db, 0.3);
    // One text, its pause a parameter: fast runs, then slow ones (as a busy machine slows a
    // lookup down). An average of its run times would call it long now.
    const lookup = (seconds: number) => sql`select pg_sleep(${seconds}) as lookup`.execute(db);
    for (let run = 0; run < 5; run++) await lookup(0);
    for (let run = 0; run < 3; run++) await lookup(0.05);
    const order: string[] = [];
    await Promise.all([
      ...['long 1', 'long 2', 'long 3'].map(async (label) => {
        await sql`select pg_sleep(${sql.lit(0.3)})`.execute(db);
        order.push(label);
      }),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await lookup(0);
        order.push('lookup');
      })(),
    ]);
    expect(order[0]).toBe('lookup');
    await db.destroy();
  });

  test('copies of a new statement issued during its first run do not fill the pool', async () => {
    // One long permit, two connections kept: the first run takes one of those, its copies
    // queue for the permit, and a short statement still finds a connection.
    const db = database(3, 2);
    const order = await answerOrder(db, [
      { label: 'new 1', seconds: 0.3 },
      { label: 'new 2', seconds: 0.3 },
      { label: 'new 3', seconds: 0.3 },
      { label: 'short', seconds: 0, after: 100 },
    ]);
    expect(order[0]).toBe('short');
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
