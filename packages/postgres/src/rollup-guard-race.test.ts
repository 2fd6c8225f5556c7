import { createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { createTestDatabase, describePostgres, postgresUrl } from './test-database.js';

// Schemas named rapport_guard_race_*, apart from every other suite's.
const database = createTestDatabase('guard race');
afterAll(() => database.cleanup());

describePostgres('the rollup guard beside a rebuild', () => {
  test('an update by an engine without rollups, waiting behind a rebuild, deletes the build rows that rebuild committed', async () => {
    const storage = database.storage({ max: 4 });
    const kept = createCrm({ storage, plugins: [closingPlugin], rollups: true });
    const off = createCrm({ storage, plugins: [closingPlugin] });
    await kept.migrate();
    await kept.createTenant({ id: 'acme', name: 'Acme' });
    const scope = off.tenant('acme').system();
    const owner = await scope.users.create({ name: 'Owner' });
    const deal = await scope.opportunities.create({
      name: 'Deal',
      ownerId: owner.id,
      amount: 10_00,
      closeDate: '2026-06-30',
    });
    await kept.rebuildRollups({ tenantId: 'acme' });
    const builds = async () => {
      const { rows } = await storage.pool.query<{ n: string }>(
        `select count(*) as n from "${storage.schema}".rollup_builds where tenant_id = 'acme'`,
      );
      return Number(rows[0]?.n);
    };
    expect(await builds()).toBeGreaterThan(0);
    // A rebuild as `rebuildTenant` runs it: the tenant row locked, the build rows deleted, and
    // written again at its end, committed while the update below waits for the lock.
    const rebuild = new pg.Client({ connectionString: postgresUrl });
    await rebuild.connect();
    try {
      const table = `"${storage.schema}".rollup_builds`;
      await rebuild.query('begin');
      await rebuild.query(
        `select id from "${storage.schema}".tenants where id = 'acme' for update`,
      );
      const { rows: marks } = await rebuild.query(
        `delete from ${table} where tenant_id = 'acme' returning rollup, built_at`,
      );
      const update = scope.opportunities.update(deal.id, {
        version: deal.version,
        amount: 20_00,
      });
      // Until the update is waiting for the tenant row (or has given up waiting for nothing).
      const waiting = async () => {
        const { rows } = await storage.pool.query<{ n: string }>(
          'select count(*) as n from pg_locks where not granted',
        );
        return Number(rows[0]?.n) > 0;
      };
      for (let i = 0; i < 100 && !(await waiting()); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      for (const mark of marks)
        await rebuild.query(
          `insert into ${table} (tenant_id, rollup, built_at) values ('acme', $1, $2)`,
          [mark.rollup, mark.built_at],
        );
      await rebuild.query('commit');
      await update;
    } finally {
      await rebuild.end();
    }
    // The rebuild did not count the update, so its rollups must not be read as complete.
    expect(await builds()).toBe(0);
    await kept.destroy();
  });
});
