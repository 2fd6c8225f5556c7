import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRapportError } from '@rapport/core';
import Database from 'better-sqlite3';
import { afterAll, expect, test } from 'vitest';
import { ReaderPool } from './reader-pool.js';

const directory = mkdtempSync(join(tmpdir(), 'rapport-reader-pool-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A WAL file with `rows` numbers, and its writer connection (readers need the file open). */
function numbers(name: string, rows: number): Database.Database {
  const database = new Database(join(directory, name));
  database.pragma('journal_mode = WAL');
  database.exec('create table n (i integer primary key)');
  const insert = database.prepare('insert into n (i) values (?)');
  database.transaction(() => {
    for (let i = 1; i <= rows; i++) insert.run(i);
  })();
  return database;
}

// Real work for SQLite: every triple of 150 rows, 3,375,000 of them.
const heavy = 'select count(*) as c from n a, n b, n c';
const light = 'select count(*) as c from n where i <= ?';

test('a short statement does not wait behind long ones: one reader stays free for it', async () => {
  const writer = numbers('short-first.sqlite', 150);
  const pool = new ReaderPool({ filename: writer.name, size: 2, busyTimeoutMs: 1000 });
  // Once each, so the pool knows which is long; the first two side by side (not yet known as
  // long), so both readers' threads are started before anything is compared: a thread that starts
  // under load must not be what the short statement waits for.
  expect(await Promise.all([pool.run(heavy, []), pool.run(heavy, [])])).toEqual([
    [{ c: 150 ** 3 }],
    [{ c: 150 ** 3 }],
  ]);
  expect(await pool.run(light, [10])).toEqual([{ c: 10 }]);
  const order: string[] = [];
  const longs = [1, 2, 3].map((index) =>
    pool.run(heavy, []).then(() => order.push(`long ${index}`)),
  );
  const short = pool.run(light, [5]).then((rows) => {
    order.push('short');
    return rows;
  });
  expect(await short).toEqual([{ c: 5 }]);
  await Promise.all(longs);
  // The long ones ran one at a time on one reader; the short one took the other at once.
  expect(order.indexOf('short')).toBeLessThan(order.indexOf('long 2'));
  expect(order.filter((entry) => entry.startsWith('long'))).toEqual(['long 1', 'long 2', 'long 3']);
  await pool.close();
  writer.close();
});

test('errors come back as the driver error with its code; a closed pool refuses with DESTROYED', async () => {
  const writer = numbers('errors.sqlite', 3);
  const pool = new ReaderPool({ filename: writer.name, size: 1, busyTimeoutMs: 1000 });
  const missing = await pool.run('select * from nope', []).catch((error: unknown) => error);
  expect(missing).toBeInstanceOf(Database.SqliteError);
  expect(missing).toMatchObject({ code: 'SQLITE_ERROR', message: 'no such table: nope' });
  // A reader only reads, whatever it is sent (the driver sends it only reads): nothing written.
  const write = await pool
    .run('insert into n (i) values (99)', [])
    .catch((error: unknown) => error);
  expect(write).toBeInstanceOf(Error);
  expect(writer.prepare('select count(*) as c from n').get()).toEqual({ c: 3 });
  const queued = pool.run(heavy, []);
  const closing = pool.close();
  const refused = await pool.run(light, [1]).catch((error: unknown) => error);
  expect(isRapportError(refused) && refused.code).toBe('DESTROYED');
  // The statement a reader was running when close() came still answers.
  await expect(queued).resolves.toEqual([{ c: 27 }]);
  await closing;
  writer.close();
});
