import { createCrm, defineKpi, definePlugin, sql } from '@rapport/core';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { postgresStorage } from './postgres-storage.js';
import { describePostgres, postgresUrl } from './test-database.js';

const schema = `h_server_abandoned_${process.pid}`;
afterAll(async () => {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

/** A KPI whose one statement sleeps in the database for as long as asked (through the scope). */
const sleeper = (id: string, seconds: number) =>
  defineKpi({
    id,
    group: 'test',
    title: { en: 'Sleeper', de: 'Schläfer' },
    description: `a statement that takes ${seconds} s in the database`,
    unit: 'count',
    direction: 'neutral',
    dimensions: [],
    snapshot: true,
    async query(ctx) {
      const deals = (await ctx.scoped('opportunity', 'o')).select(
        sql<number>`pg_sleep(${sql.lit(seconds)})`.as('slept'),
      );
      const [row] = await ctx
        .selectFrom(deals.as('d'))
        .select(sql<number>`count(*)`.as('n'))
        .execute();
      return [{ key: null, value: Number(row?.n ?? 0), sampleSize: 0 }];
    },
  });

async function sleepingBackends(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(
    `select count(*) as count from pg_stat_activity
     where query like '%pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()`,
  );
  return Number(rows[0]?.count);
}

describePostgres('an abandoned evaluation on Postgres', () => {
  test('its running statement is cancelled on the backend and no other one starts', async () => {
    const kpis = Array.from({ length: 4 }, (_, index) => sleeper(`test.sleep${index}`, 30));
    const crm = createCrm({
      storage: postgresStorage({ connectionString: postgresUrl, schema, max: 6 }),
      plugins: [definePlugin({ id: 'sleepers', kpis })],
    });
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    const system = crm.tenant('acme').system();
    const owner = await system.users.create({ name: 'Owner', role: 'admin' });
    await system.opportunities.create({ name: 'Deal', ownerId: owner.id, closeDate: '2026-06-30' });
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      const controller = new AbortController();
      const evaluation = system.kpis.evaluate(
        kpis.map((kpi) => kpi.id),
        { signal: controller.signal },
      );
      evaluation.catch(() => undefined);
      // 3 of the 4 statements run at once (the evaluation's lanes), each to sleep 30 s.
      while ((await sleepingBackends(admin)) < 3) await new Promise((r) => setTimeout(r, 20));
      controller.abort(new Error('the client went away'));
      await expect(evaluation).rejects.toThrow('the client went away');
      // Cancelled on their backends, not left to sleep 30 s; the fourth never started.
      const deadline = Date.now() + 5_000;
      while ((await sleepingBackends(admin)) > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await sleepingBackends(admin)).toBe(0);
      // The pool's connections serve the next statements as before.
      const page = await system.opportunities.list({ limit: 5 });
      expect(page.items.map((item) => item.name)).toEqual(['Deal']);
    } finally {
      await admin.end();
      await crm.destroy();
    }
  }, 30_000);
});
