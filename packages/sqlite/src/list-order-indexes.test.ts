import { createCrm } from '@rapport/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { sqliteStorage } from './sqlite-storage.js';

// The plans SQLite chooses for the statements the engine sends: a page of a list must walk an
// index in the list's order, not sort every row of the tenant (EXPLAIN QUERY PLAN says
// "USE TEMP B-TREE FOR ORDER BY" when it sorts).
const statements: string[] = [];
let database: Database.Database | undefined;
afterEach(() => {
  database?.close();
  statements.length = 0;
});

async function setup() {
  database = new Database(':memory:', { verbose: (sql) => statements.push(String(sql)) });
  const crm = createCrm({ storage: sqliteStorage({ database }) });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const admin = crm.tenant('acme').system();
  const rep = await admin.users.create({ name: 'Rita', role: 'rep' });
  const account = await admin.accounts.create({ name: 'Globex', ownerId: rep.id });
  for (let i = 0; i < 30; i++) {
    await admin.opportunities.create({
      name: `Deal ${i}`,
      accountId: account.id,
      ownerId: rep.id,
      closeDate: `2026-0${1 + (i % 9)}-15`,
    });
  }
  return admin;
}

function planOfLast(table: string): string[] {
  const sql = statements.findLast((s) => s.startsWith('select') && s.includes(`from "${table}"`));
  if (!sql || !database) throw new Error(`no select from ${table} was sent`);
  const parameters = Array.from(sql.matchAll(/\?/g), () => null);
  const rows = database.prepare(`explain query plan ${sql}`).all(...parameters) as {
    detail: string;
  }[];
  return rows.map((row) => row.detail);
}

describe('lists are read in index order', () => {
  test('the default order (created, then id) walks (tenant_id, created_at, id)', async () => {
    const admin = await setup();
    const page = await admin.opportunities.list({ limit: 5 });
    expect(page.items).toHaveLength(5);
    const plan = planOfLast('opportunities');
    expect(plan.join('\n')).toContain('opportunities_tenant_id_created_at_id_idx');
    expect(plan.join('\n')).not.toContain('TEMP B-TREE');
  });

  test('every record table has the default-order index', async () => {
    const admin = await setup();
    await admin.accounts.list({ limit: 5 });
    expect(planOfLast('accounts').join('\n')).not.toContain('TEMP B-TREE');
    await admin.users.list({ limit: 5 });
    expect(planOfLast('users').join('\n')).not.toContain('TEMP B-TREE');
  });

  test('opportunities by close date walk (tenant_id, close_date, id)', async () => {
    const admin = await setup();
    await admin.opportunities.list({ limit: 5, orderBy: { field: 'closeDate' } });
    const plan = planOfLast('opportunities').join('\n');
    expect(plan).toContain('opportunities_tenant_id_close_date_id_idx');
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
