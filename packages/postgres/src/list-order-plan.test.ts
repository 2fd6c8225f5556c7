import { createCrm } from '@rapport/core';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { postgresStorage } from './postgres-storage.js';
import { describePostgres, postgresUrl } from './test-database.js';

// The plan Postgres chooses for the list statement the engine sends: a page of the default order
// must walk (tenant_id, created_at, id), not sort every row of the tenant. The table is small, so
// the planner is told to avoid sorts and sequential scans: a Sort node is then left only when no
// index serves the order (as with `asc nulls first` on an ASC NULLS LAST btree).
const schema = `h_server_list_plan_${process.pid}`;
const statements: { text: string; values: unknown[] }[] = [];
const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
pool.on('connect', (client) => {
  const query = client.query.bind(client);
  // Cast: pg's query has many overloads; this passes every call through unchanged.
  client.query = ((...args: Parameters<typeof query>) => {
    const [first, second] = args as unknown[];
    const text = typeof first === 'string' ? first : (first as { text?: string })?.text;
    const values = Array.isArray(second)
      ? second
      : ((first as { values?: unknown[] })?.values ?? []);
    if (text) statements.push({ text, values });
    return query(...args);
  }) as typeof client.query;
});

afterAll(async () => {
  if (!pool.ended) await pool.end();
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

async function planOfLastList(table: string): Promise<string> {
  const last = statements.findLast(
    ({ text }) => text.startsWith('select') && text.includes(`from "${table}"`),
  );
  if (!last) throw new Error(`no select from ${table} was sent`);
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`set search_path to "${schema}"`);
    await client.query('set enable_sort = off');
    await client.query('set enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `explain ${last.text}`,
      last.values,
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

describePostgres('lists are read in index order on Postgres', () => {
  test('the default order (created, then id) walks (tenant_id, created_at, id) without a sort', async () => {
    const crm = createCrm({ storage: postgresStorage({ pool, schema }) });
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    const admin = crm.tenant('acme').system();
    const rep = await admin.users.create({ name: 'Rita', role: 'rep' });
    const account = await admin.accounts.create({ name: 'Globex', ownerId: rep.id });
    for (let i = 0; i < 12; i++) {
      await admin.opportunities.create({
        name: `Deal ${i}`,
        accountId: account.id,
        ownerId: rep.id,
        closeDate: `2026-0${1 + (i % 9)}-15`,
      });
    }
    const first = await admin.opportunities.list({ limit: 5 });
    expect(first.items.map((item) => item.name)).toEqual([
      'Deal 0',
      'Deal 1',
      'Deal 2',
      'Deal 3',
      'Deal 4',
    ]);
    const plan = await planOfLastList('opportunities');
    expect(plan).toContain('opportunities_tenant_id_created_at_id_idx');
    expect(plan).not.toMatch(/\bSort\b/);

    // Newest first walks the same index backwards; the cursor pages on in the same order.
    const newest = await admin.opportunities.list({
      limit: 5,
      orderBy: { field: 'createdAt', direction: 'desc' },
    });
    expect(newest.items[0]?.name).toBe('Deal 11');
    const descending = await planOfLastList('opportunities');
    expect(descending).toContain('Index Scan Backward');
    expect(descending).not.toMatch(/\bSort\b/);
    const next = await admin.opportunities.list({
      limit: 5,
      orderBy: { field: 'createdAt', direction: 'desc' },
      ...(newest.nextCursor ? { cursor: newest.nextCursor } : {}),
    });
    expect(next.items.map((item) => item.name)).toEqual([
      'Deal 6',
      'Deal 5',
      'Deal 4',
      'Deal 3',
      'Deal 2',
    ]);

    // A required field (the close date) is never null either: its index serves it as well.
    await admin.opportunities.list({ limit: 5, orderBy: { field: 'closeDate' } });
    const byCloseDate = await planOfLastList('opportunities');
    expect(byCloseDate).toContain('opportunities_tenant_id_close_date_id_idx');
    expect(byCloseDate).not.toMatch(/\bSort\b/);
    await crm.destroy();
  });
});
