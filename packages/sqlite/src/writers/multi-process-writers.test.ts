import { expect, it } from 'vitest';
import { runMultiProcessWriters } from './test-multi-process-writers.js';

/** Full size (4 x 150) with RAPPORT_WRITERS_FULL=1 or scripts/sqlite-writers.mjs. */
const full = process.env.RAPPORT_WRITERS_FULL === '1';
const processes = 4;
const updates = full ? 150 : 40;

it(`${processes} processes x ${updates} optimistic updates on one SQLite file: no lost update, no raw SQLite error, every loser a CONFLICT`, async () => {
  const { tallies, stored } = await runMultiProcessWriters({ processes, updates, records: 3 });
  const conflicts = tallies.reduce((sum, tally) => sum + tally.conflicts, 0);
  console.info(`writers: ${processes} x ${updates} committed, ${conflicts} CONFLICTs retried`);
  expect(tallies.flatMap((tally) => tally.rawErrors)).toEqual([]);
  expect(tallies.map((tally) => tally.committed)).toEqual(Array(processes).fill(updates));
  const committedPer = new Map<string, number>();
  for (const tally of tallies) {
    for (const [id, count] of Object.entries(tally.perRecord)) {
      committedPer.set(id, (committedPer.get(id) ?? 0) + count);
    }
  }
  for (const record of stored) {
    // Every committed +1 is in the counter, and each one made exactly one new version.
    expect(record.counter).toBe(committedPer.get(record.id) ?? 0);
    expect(record.version).toBe(record.counter + 1);
  }
  expect(stored.reduce((sum, record) => sum + record.counter, 0)).toBe(processes * updates);
}, 120_000);
