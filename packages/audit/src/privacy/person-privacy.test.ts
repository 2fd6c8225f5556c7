import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm, isRapportError, type RapportStorage } from '@rapport/core';
import { aftersalesPlugin } from '@rapport/kpi-aftersales';
import { closingPlugin } from '@rapport/kpi-closing';
import { leadsPlugin } from '@rapport/kpi-leads';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { createTestDatabase, describePostgres } from '../../../postgres/src/test-database.js';
import { auditPlugin } from '../audit-plugin.js';

const engines: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.destroy();
});

const person = {
  firstName: 'Zelda',
  lastName: 'Quixotewright',
  email: 'zelda.quixotewright@example.org',
  phone: '+44 20 7946 0958',
};
const terms = [person.firstName, person.lastName, person.email, person.phone];

async function setup() {
  const filename = join(mkdtempSync(join(tmpdir(), 'rapport-privacy-')), 'crm.sqlite');
  const storage = sqliteStorage({ filename });
  return { ...(await seed(storage)), storage, filename };
}

async function seed(storage: RapportStorage) {
  let clock = new Date('2026-03-10T09:00:00Z');
  const crm = createCrm({
    storage,
    plugins: [auditPlugin(), closingPlugin, pipelinePlugin, leadsPlugin, aftersalesPlugin],
    now: () => clock,
  });
  engines.push(crm);
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const system = crm.tenant('acme').system();
  const ada = await system.users.create({ name: 'Ada', role: 'admin' });
  const rita = await system.users.create({ name: 'Rita', role: 'rep' });
  const admin = crm.tenant('acme').as({ id: ada.id, role: 'admin' });
  const rep = crm.tenant('acme').as({ id: rita.id, role: 'rep' });
  const lead = await rep.leads.create({ ...person, company: 'Brightline', leadSource: 'Web' });
  const other = await rep.leads.create({ lastName: 'Other', company: 'Else', leadSource: 'Web' });
  const call = await rep.activities.create({
    type: 'call',
    subject: `Call ${person.firstName} ${person.lastName}`,
    description: `Reached on ${person.phone}; follow up at ${person.email}. Zelda wants a demo.`,
    leadId: lead.id,
    completedAt: clock.toISOString(),
  });
  clock = new Date('2026-03-12T09:00:00Z');
  const converted = await rep.leads.convert(lead.id, {
    opportunity: { name: 'Brightline seats', amount: 12_000_00, closeDate: '2026-04-30' },
  });
  const deal = converted.opportunity;
  if (!deal) throw new Error('conversion made no opportunity');
  const meeting = await rep.activities.create({
    type: 'meeting',
    subject: `Demo for ${person.lastName}`,
    contactId: converted.contact.id,
    opportunityId: deal.id,
  });
  clock = new Date('2026-03-20T09:00:00Z');
  const moved = await rep.opportunities.changeStage(deal.id, {
    version: deal.version,
    stage: 'Qualification',
  });
  await rep.opportunities.closeWon(deal.id, { version: moved.version });
  await rep.activities.create({ type: 'task', subject: 'Unrelated', leadId: other.id });
  clock = new Date('2026-03-25T09:00:00Z');
  return { crm, admin, rep, lead, call, meeting, converted, deal };
}

async function allKpis(scope: Awaited<ReturnType<typeof seed>>['admin']) {
  const ids = scope.kpis.definitions().map((definition) => definition.id);
  return JSON.stringify(await scope.kpis.evaluate(ids, { period: '2026-Q1' }));
}

describe('GDPR export and erase of a converted lead (SQLite file)', () => {
  test('the export holds every place the person lives', async () => {
    const { crm, admin, lead, call, meeting, converted, deal } = await setup();
    const held = await crm.plugin('audit').privacy.export(admin, { lead: lead.id });
    expect(held.leads.map((l) => l.id)).toEqual([lead.id]);
    expect(held.contacts.map((c) => c.id)).toEqual([converted.contact.id]);
    expect(held.accounts.map((a) => a.id)).toEqual([converted.account.id]);
    expect(held.opportunities.map((o) => o.id)).toEqual([deal.id]);
    expect(held.stageHistory.length).toBeGreaterThanOrEqual(3);
    expect(held.activities.map((a) => a.id).sort()).toEqual([call.id, meeting.id].sort());
    const about = new Set(held.auditEntries.map((e) => e.recordId));
    for (const id of [lead.id, converted.contact.id, call.id, meeting.id])
      expect(about).toContain(id);
    const fromContact = await crm.plugin('audit').privacy.export(admin, {
      contact: converted.contact.id,
    });
    expect(fromContact.leads.map((l) => l.id)).toEqual([lead.id]);
    const text = JSON.stringify(held);
    for (const term of terms) expect(text).toContain(term);
  });

  test('erase is for admins; it leaves no copy of name, email or phone and every KPI unchanged', async () => {
    const { crm, storage, filename, admin, rep, lead, converted, deal } = await setup();
    const audit = crm.plugin('audit');
    const forbidden = await audit.privacy.erase(rep, { lead: lead.id }).catch((e: unknown) => e);
    expect(isRapportError(forbidden) && forbidden.code).toBe('FORBIDDEN');
    const bad = await audit.privacy.erase(admin, { user: 'x' } as never).catch((e: unknown) => e);
    expect(isRapportError(bad) && bad.code).toBe('VALIDATION');

    const kpisBefore = await allKpis(admin);
    const report = await audit.privacy.erase(admin, { contact: converted.contact.id });
    expect(report).toMatchObject({
      leads: [lead.id],
      contacts: [converted.contact.id],
      changed: true,
    });
    expect(report.auditEntries).toBeGreaterThan(0);
    expect(await allKpis(admin)).toBe(kpisBefore);
    const wonDeal = await admin.opportunities.get(deal.id);
    expect(wonDeal).toMatchObject({ amount: 12_000_00, status: 'won' });

    // Every text column of every table, from the catalogue.
    const db = storage.database;
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
      name: string;
    }[];
    let scanned = 0;
    for (const { name } of tables) {
      const columns = db.prepare(`pragma table_info("${name}")`).all() as { name: string }[];
      for (const column of columns) {
        const values = db
          .prepare(
            `select "${column.name}" as v from "${name}" where typeof("${column.name}") = 'text'`,
          )
          .all() as { v: string }[];
        for (const { v } of values) {
          scanned++;
          for (const term of terms)
            expect(v.toLowerCase(), `${name}.${column.name}`).not.toContain(term.toLowerCase());
        }
      }
    }
    expect(scanned).toBeGreaterThan(100);

    const entries = (await audit.list(admin, { limit: 1000 })).items;
    const erase = entries.find((e) => e.action === 'erase');
    expect(erase).toMatchObject({
      object: 'contact',
      recordId: converted.contact.id,
      actorId: admin.actor.id,
    });
    for (const term of terms) expect(JSON.stringify(entries)).not.toContain(term);

    // The raw bytes of the file and its WAL: no free page or old frame keeps a copy.
    for (const file of [filename, `${filename}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      for (const term of terms) expect(bytes.indexOf(Buffer.from(term, 'utf8')), file).toBe(-1);
    }
    // The records stay, anonymised: the converted contact is not deleted (no foreign-key CONFLICT).
    expect(await admin.contacts.get(converted.contact.id)).toMatchObject({
      lastName: '[erased]',
      email: null,
      phone: null,
    });
    const again = await audit.privacy.erase(admin, { lead: lead.id });
    expect(again.changed).toBe(false);
  });
});

describePostgres('GDPR erase on Postgres', () => {
  const database = createTestDatabase('privacy');
  afterAll(() => database.cleanup());

  test('no text or JSON column of any table of the schema keeps the name, email or phone; KPIs unchanged', async () => {
    const storage = database.storage();
    const { crm, admin, lead, converted } = await seed(storage);
    const kpisBefore = await allKpis(admin);
    const report = await crm.plugin('audit').privacy.erase(admin, { lead: lead.id });
    expect(report.contacts).toEqual([converted.contact.id]);
    expect(await allKpis(admin)).toBe(kpisBefore);
    const columns = await storage.pool.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
       where table_schema = $1 and data_type in ('text', 'jsonb', 'character varying')`,
      [storage.schema],
    );
    expect(columns.rows.length).toBeGreaterThan(50);
    for (const { table_name, column_name } of columns.rows) {
      for (const term of terms) {
        const found = await storage.pool.query(
          `select 1 from "${storage.schema}"."${table_name}" where lower("${column_name}"::text) like $1 limit 1`,
          [`%${term.toLowerCase()}%`],
        );
        expect(found.rowCount, `${table_name}.${column_name}: ${term}`).toBe(0);
      }
    }
  });
});

describe("a converted lead stays frozen except for an admin's change of the person's own fields", () => {
  test('rep: CONFLICT; admin on a business field: CONFLICT; admin on email: allowed and audited', async () => {
    const { crm, admin, rep, lead } = await setup();
    const stored = await admin.leads.get(lead.id);
    const byRep = await rep.leads
      .update(lead.id, { version: stored.version, email: 'new@example.org' })
      .catch((e: unknown) => e);
    expect(isRapportError(byRep) && byRep.code).toBe('CONFLICT');
    const business = await admin.leads
      .update(lead.id, { version: stored.version, company: 'Other' })
      .catch((e: unknown) => e);
    expect(isRapportError(business) && business.code).toBe('CONFLICT');
    const mixed = await admin.leads
      .update(lead.id, { version: stored.version, email: 'new@example.org', leadSource: 'Ads' })
      .catch((e: unknown) => e);
    expect(isRapportError(mixed) && mixed.code).toBe('CONFLICT');
    const rectified = await admin.leads.update(lead.id, {
      version: stored.version,
      email: 'new@example.org',
    });
    expect(rectified).toMatchObject({ email: 'new@example.org', status: 'Closed - Converted' });
    const [latest] = (
      await crm.plugin('audit').list(admin, { object: 'lead', recordId: lead.id, limit: 1 })
    ).items;
    expect(latest?.changes).toEqual([
      { field: 'email', old: person.email, new: 'new@example.org' },
    ]);
  });
});
