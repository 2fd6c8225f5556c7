import { PassThrough } from 'node:stream';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { expect, test } from 'vitest';
import { exportCsv, exportJson } from './record-export.js';

/** What an export wrote to a stream, as text. */
async function written(run: (out: NodeJS.WritableStream) => Promise<number>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await run(out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

test('a lead export has no column or value of the hidden converted deal outcome', async () => {
  const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const scope = crm.tenant('acme').system();
  const owner = await scope.users.create({ name: 'Owner' });
  const lead = await scope.leads.create({ lastName: 'Lee', company: 'Hooli', ownerId: owner.id });
  const { opportunity } = await scope.leads.convert(lead.id, {
    opportunity: { amount: 4_321_00 },
  });
  if (!opportunity) throw new Error('the conversion made no deal');
  await scope.opportunities.closeWon(opportunity.id, { version: opportunity.version });
  try {
    const csv = await written((out) => exportCsv(scope, 'lead', out));
    const header = csv.split(/\r?\n/)[0] ?? '';
    expect(header.split(',')).toContain('convertedOpportunityId');
    expect(csv).toContain(opportunity.id);
    const json = await written((out) => exportJson(scope, 'lead', out));
    expect(json).toContain(opportunity.id);
    for (const text of [csv, json]) {
      expect(text).not.toContain('convertedOpportunityStatus');
      expect(text).not.toContain('convertedOpportunityAmount');
      expect(text).not.toContain('convertedOpportunityCurrency');
      expect(text).not.toContain('4321');
      expect(text).not.toContain('won');
    }
  } finally {
    await crm.destroy();
  }
});
