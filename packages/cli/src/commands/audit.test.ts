import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditPlugin } from '@rapport/audit';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { expect, test, vi } from 'vitest';
import { createProgram } from '../program.js';

test('rapport audit prints the trail of a record, newest first, as text and JSON', async () => {
  const filename = join(mkdtempSync(join(tmpdir(), 'rapport-audit-cli-')), 'crm.sqlite');
  const crm = createCrm({ storage: sqliteStorage({ filename }), plugins: [auditPlugin()] });
  await crm.migrate();
  await crm.createTenant({ id: 'demo', name: 'Demo' });
  const system = crm.tenant('demo').system();
  const campaign = await system.campaigns.create({ name: 'Spring' });
  await system.campaigns.update(campaign.id, { version: campaign.version, status: 'Planned' });
  await crm.destroy();

  const written: string[] = [];
  let firstCount = 0;
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await createProgram().parseAsync([
      'node',
      'rapport',
      'audit',
      '--db',
      filename,
      '--id',
      campaign.id,
    ]);
    firstCount = written.length;
    await createProgram().parseAsync([
      'node',
      'rapport',
      'audit',
      '--db',
      filename,
      '--object',
      'campaign',
      '--json',
    ]);
  } finally {
    spy.mockRestore();
  }
  const text = written.slice(0, firstCount).join('');
  const json = written.slice(firstCount).join('');
  expect(text?.split('\n')[0]).toContain('update  campaign');
  expect(text?.split('\n')[0]).toContain('status: null -> "Planned"');
  const entries = JSON.parse(json ?? '[]') as { action: string; recordId: string }[];
  expect(entries.map((e) => e.action)).toEqual(['update', 'create']);
  expect(entries.every((e) => e.recordId === campaign.id)).toBe(true);
});
