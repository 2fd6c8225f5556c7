import { type Crm, createCrm, isRapportError } from '@rapport/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, describePostgres } from './test-database.js';

const writers = 16;
const poolSize = 8;

const database = createTestDatabase('concurrency');
afterAll(() => database.cleanup());

interface Tally {
  successes: { version: number; amount: number }[];
  conflicts: number;
  /** Conflicts caught by the conditional UPDATE itself, after passing the in-transaction read. */
  racedConflicts: number;
}

/** One write: the update carries the version read; anything but success or CONFLICT fails. */
async function write(
  crm: Crm,
  dealId: string,
  writer: number,
  version: number,
  amount: number,
  tally: Tally,
) {
  const scope = crm.tenant('acme').as({ id: `writer-${writer}`, role: 'admin' });
  try {
    const written = await scope.opportunities.update(dealId, { version, amount });
    tally.successes.push({ version: written.version, amount });
  } catch (error) {
    if (!isRapportError(error, 'CONFLICT')) throw error;
    tally.conflicts += 1;
    // For the figures only: the message says which check caught it.
    if (error.message.includes('changed by someone else')) tally.racedConflicts += 1;
  }
}

/** What a run must leave behind: one version and one history row per landed write, no more. */
async function expectNothingLost(crm: Crm, dealId: string, tally: Tally) {
  const admin = crm.tenant('acme').system();
  const final = await admin.opportunities.get(dealId);
  expect(final.version).toBe(1 + tally.successes.length);
  expect(await admin.stageHistory.count({ opportunityId: dealId })).toBe(
    1 + tally.successes.length,
  );
  const versions = tally.successes.map((success) => success.version).sort((a, b) => a - b);
  expect(versions).toEqual(versions.map((_, index) => index + 2));
  const last = tally.successes.find((success) => success.version === final.version);
  expect(final.amount).toBe(last?.amount);
}

describePostgres(`${writers} writers on one opportunity through a pool of ${poolSize}`, () => {
  let crm: Crm;
  let ownerId: string;
  let amounts = 0;

  beforeAll(async () => {
    crm = createCrm({ storage: database.storage({ max: poolSize }) });
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    ownerId = (await crm.tenant('acme').system().users.create({ name: 'Owner', role: 'rep' })).id;
  });
  afterAll(() => crm.destroy());

  /** A fresh opportunity at version 1, so each test counts from a known start. */
  async function contestedDeal(): Promise<string> {
    const deal = await crm.tenant('acme').system().opportunities.create({
      name: 'Contested deal',
      ownerId,
      amount: 0,
      closeDate: '2026-12-31',
    });
    expect(deal.version).toBe(1);
    return deal.id;
  }

  test('in lockstep rounds (all read the same version, then all write), exactly one write per round lands', async () => {
    const rounds = 4;
    const tally: Tally = { successes: [], conflicts: 0, racedConflicts: 0 };
    const dealId = await contestedDeal();
    for (let round = 0; round < rounds; round++) {
      const reads = await Promise.all(
        Array.from({ length: writers }, () =>
          crm.tenant('acme').system().opportunities.get(dealId),
        ),
      );
      await Promise.all(
        reads.map((read, writer) => write(crm, dealId, writer, read.version, ++amounts, tally)),
      );
    }
    console.log(
      `lockstep: writers=${writers} pool=${poolSize} attempts=${writers * rounds} ` +
        `successes=${tally.successes.length} conflicts=${tally.conflicts} ` +
        `(of which caught by the conditional UPDATE: ${tally.racedConflicts})`,
    );
    expect(tally.successes.length).toBe(rounds);
    expect(tally.conflicts).toBe(rounds * (writers - 1));
    await expectNothingLost(crm, dealId, tally);
  });

  test('free-running (each writer reads and writes on its own), every write lands or is a CONFLICT', async () => {
    const attemptsPerWriter = 6;
    const tally: Tally = { successes: [], conflicts: 0, racedConflicts: 0 };
    const dealId = await contestedDeal();
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        const scope = crm.tenant('acme').system();
        for (let attempt = 0; attempt < attemptsPerWriter; attempt++) {
          const read = await scope.opportunities.get(dealId);
          await write(crm, dealId, writer, read.version, ++amounts, tally);
        }
      }),
    );
    console.log(
      `free-running: writers=${writers} pool=${poolSize} attempts=${writers * attemptsPerWriter} ` +
        `successes=${tally.successes.length} conflicts=${tally.conflicts} ` +
        `(of which caught by the conditional UPDATE: ${tally.racedConflicts})`,
    );
    expect(tally.successes.length + tally.conflicts).toBe(writers * attemptsPerWriter);
    expect(tally.successes.length).toBeGreaterThan(0);
    await expectNothingLost(crm, dealId, tally);
  });
});
