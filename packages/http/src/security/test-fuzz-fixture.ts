/**
 * @internal The fixture the bad-request fuzzing runs against: a migrated engine with one record
 * in every collection, the API over it with an admin and a rep key, and a dump of its database
 * to prove that nothing changed.
 */
import { createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { sqliteStorage } from '@rapport/sqlite';
import { createRapportApi } from '../api/create-rapport-api.js';
import { createApiKeyStore } from '../auth/api-key-store.js';
import { httpPlugin } from '../auth/http-plugin.js';
import type { OpenApiDocument } from '../openapi/openapi-types.js';

/**
 * Every table of the database with its rows sorted, as one string (the `.dump` of the data):
 * what "nothing changed" compares.
 */
export function databaseDump(database: {
  prepare(sql: string): { all(...args: unknown[]): unknown[] };
}): string {
  const tables = database
    .prepare("select name, sql from sqlite_master where type = 'table' order by name")
    .all() as { name: string; sql: string }[];
  return tables
    .map(({ name, sql }) => {
      const rows = database.prepare(`select * from "${name.replaceAll('"', '""')}"`).all();
      return `${sql}\n${rows
        .map((row) => JSON.stringify(row))
        .sort()
        .join('\n')}`;
    })
    .join('\n\n');
}

/** A migrated engine with one record in every collection, the API over it and an admin key. */
export async function fuzzFixture() {
  const storage = sqliteStorage({ filename: ':memory:' });
  const crm = createCrm({ storage, plugins: [httpPlugin, closingPlugin, pipelinePlugin] });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme GmbH' });
  const system = crm.tenant('acme').system();
  const admin = await system.users.create({ name: 'Ada Admin', role: 'admin' });
  const rep = await system.users.create({ name: 'Rita Rep', role: 'rep' });
  const team = await system.teams.create({ name: 'North' });
  const account = await system.accounts.create({ name: 'Globex', ownerId: rep.id });
  const contact = await system.contacts.create({ lastName: 'Doe', ownerId: rep.id });
  const campaign = await system.campaigns.create({ name: 'Spring' });
  const lead = await system.leads.create({ lastName: 'Kim', company: 'Umbrella', ownerId: rep.id });
  const product = await system.products.create({ name: 'Seat', listPrice: 100_00 });
  const deal = await system.opportunities.create({
    name: 'Deal',
    ownerId: rep.id,
    accountId: account.id,
    closeDate: '2026-12-31',
    amount: 1000_00,
  });
  const item = await system.lineItems.create({
    opportunityId: deal.id,
    productId: product.id,
    quantity: 2,
  });
  const activity = await system.activities.create({
    type: 'call',
    subject: 'Hello',
    ownerId: rep.id,
  });
  const quota = await system.quotas.create({
    ownerId: rep.id,
    periodStart: '2026-01-01',
    periodEnd: '2026-03-31',
    amount: 10_000_00,
  });
  const contract = await system.contracts.create({
    accountId: account.id,
    ownerId: rep.id,
    startDate: '2026-01-01',
    monthlyAmount: 100_00,
  });
  const pipeline = (await system.pipelines.list()).items[0];
  const history = (await system.stageHistory.list()).items[0];
  const keys = createApiKeyStore(crm);
  const { key } = await keys.create({ tenantId: 'acme', name: 'fuzz', userId: admin.id });
  const { key: repKey } = await keys.create({ tenantId: 'acme', name: 'fuzz rep', userId: rep.id });
  const api = createRapportApi({ crm, authenticate: keys.authenticate, rateLimit: false });
  const ids: Record<string, string> = {
    users: rep.id,
    teams: team.id,
    accounts: account.id,
    contacts: contact.id,
    campaigns: campaign.id,
    leads: lead.id,
    products: product.id,
    pipelines: pipeline?.id ?? 'none',
    opportunities: deal.id,
    'line-items': item.id,
    activities: activity.id,
    'stage-history': history?.id ?? 'none',
    quotas: quota.id,
    contracts: contract.id,
  };
  const document = (await (
    await api.request('/openapi.json', { headers: { authorization: `Bearer ${key}` } })
  ).json()) as OpenApiDocument;
  return { crm, storage, api, key, repKey, ids, document };
}
