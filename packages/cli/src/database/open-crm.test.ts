import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditPage } from '@rapport/audit';
import type { CrmScope } from '@rapport/core';
import { expect, test } from 'vitest';
import { ImportRejected, importRecords } from '../import/import-records.js';
import { openCrm } from './open-crm.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-open-crm-'));
const csv = (name: string, lines: readonly string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return path;
};

test('every command opens the engine with the audit plugin: imports, history imports and their rollbacks are audited (source cli)', async () => {
  const opened = await openCrm(join(dir, 'crm.sqlite'), { migrate: true });
  try {
    const { crm } = opened;
    expect(crm.plugins.map((plugin) => plugin.id)).toContain('audit');
    await crm.createTenant({ id: 't', name: 'T' });
    const scope: CrmScope = crm.tenant('t').system();
    await scope.users.create({ name: 'Rita', externalId: 'rep-1' });
    // Erased: the plugin list is only known at run time here, the API is the audit plugin's.
    const audit = crm.plugin('audit' as never) as {
      list(scope: CrmScope, query: object): Promise<AuditPage>;
    };
    const trail = async () => (await audit.list(scope, { limit: 1000 })).items;

    const leads = csv('leads.csv', ['id,name,company', 'L1,Lee,Lee Ltd', 'L2,Poe,Umbrella']);
    await importRecords(scope, {
      object: 'lead',
      file: leads,
      map: ['id=externalId', 'name=lastName', 'company=company'],
      owner: 'rep-1',
      skipInvalid: false,
    });
    const imported = (await trail()).filter((e) => e.object === 'lead');
    expect(imported.map((e) => e.action)).toEqual(['create', 'create']);
    expect(imported.every((e) => e.source === 'cli' && e.actorId === 'system')).toBe(true);
    expect(imported.flatMap((e) => e.changes)).toContainEqual({
      field: 'company',
      old: null,
      new: 'Umbrella',
    });

    // A history import converts L1 into the imported deal: the conversion is audited too.
    const deals = csv('deals.csv', ['lead,deal,won', 'L1,S1,2018-02-26 19:58:54']);
    const history = {
      object: 'opportunity' as const,
      file: deals,
      map: ['deal=externalId', 'deal=name', 'lead=leadId', 'won=closeDate', 'won=leadConvertedAt'],
      constants: ['stage=Closed Won'],
      owner: 'rep-1',
      history: true,
      skipInvalid: false,
    };
    expect(await importRecords(scope, history)).toMatchObject({ created: 1, converted: 1 });
    const lead = await scope.leads.findByExternalId('L1');
    const converted = (await audit.list(scope, { object: 'lead', recordId: lead?.id })).items[0];
    expect(converted?.changes).toContainEqual({
      field: 'status',
      old: 'Open - Not Contacted',
      new: 'Closed - Converted',
    });
    expect(converted?.source).toBe('cli');

    // An import that is rejected writes nothing, and so no entry.
    const before = (await trail()).length;
    const orphan = csv('orphan.csv', ['lead,deal,won', 'L404,S2,2018-03-01']);
    await expect(importRecords(scope, { ...history, file: orphan })).rejects.toBeInstanceOf(
      ImportRejected,
    );
    expect((await trail()).length).toBe(before);
  } finally {
    await opened.close();
  }
});
