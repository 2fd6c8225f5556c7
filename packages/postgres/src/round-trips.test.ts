import { createCrm } from '@rapport/core';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { postgresStorage } from './postgres-storage.js';
import { describePostgres, postgresUrl } from './test-database.js';

const schema = `readers_round_trips_${process.pid}`;
const statements: string[] = [];
let counting = false;

/** A pool whose clients note every statement they send while `counting`: one per round trip. */
function countingPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client);
    // Cast: pg's query has many overloads; this passes every call through unchanged.
    client.query = ((...args: Parameters<typeof query>) => {
      const [first] = args as unknown[];
      const text = typeof first === 'string' ? first : (first as { text?: string })?.text;
      if (counting && text) statements.push(text.trim().split(/\s+/).slice(0, 2).join(' '));
      return query(...args);
    }) as typeof client.query;
  });
  return pool;
}

const pool = countingPool();
afterAll(async () => {
  // crm.destroy() ends the pool; a failed test may have left it open.
  if (!pool.ended) await pool.end();
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

describePostgres('round trips of a write on Postgres', () => {
  test('a single opportunity create is 7 statements: begin, stages, one lookup of its references, 2 inserts, the rollup guard, commit', async () => {
    const crm = createCrm({ storage: postgresStorage({ pool, schema }) });
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    const scope = crm.tenant('acme').system();
    const owner = await scope.users.create({ name: 'Owner' });
    const account = await scope.accounts.create({ name: 'Globex', ownerId: owner.id });
    counting = true;
    const deal = await scope.opportunities.create({
      name: 'Deal',
      accountId: account.id,
      ownerId: owner.id,
      amount: 1000_00,
      closeDate: '2026-06-30',
    });
    counting = false;
    expect(statements).toEqual([
      'begin',
      'select "stages"',
      // The account and the owner in one statement (union all); the pipeline is known from its stages.
      'select 0',
      'insert into',
      // The rollup guard: forgets the builds of rollups this engine does not keep (all, here);
      // the insert's tenant foreign key already holds the tenant row's key share.
      'delete from',
      'insert into',
      'commit',
    ]);
    // The create did what it always did: the deal and its first stage history entry.
    expect((await scope.opportunities.get(deal.id)).accountId).toBe(account.id);
    const history = await scope.stageHistory.list({ where: { opportunityId: deal.id } });
    expect(history.items).toHaveLength(1);
    // A missing reference is still found in the one lookup, with its field.
    const error = await scope.opportunities
      .create({ name: 'Bad', accountId: 'missing', ownerId: owner.id, closeDate: '2026-06-30' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: ['accountId'], code: 'unknown_reference' }],
    });
    await crm.destroy();
  });
});
