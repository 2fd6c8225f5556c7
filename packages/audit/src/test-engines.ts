import { createCrm, type RapportStorage } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { z } from 'zod';
import { createTestDatabase, postgresAvailable } from '../../postgres/src/test-database.js';
import { auditPlugin } from './audit-plugin.js';

/** Test support: the storages every audit test runs on (SQLite always, Postgres when reachable). */
export const storages: readonly {
  readonly name: string;
  readonly make: () => RapportStorage;
  readonly cleanup: () => Promise<void>;
}[] = (() => {
  const postgres = createTestDatabase('audit');
  return [
    { name: 'sqlite', make: () => sqliteStorage(), cleanup: async () => undefined },
    { name: 'postgres', make: () => postgres.storage(), cleanup: () => postgres.cleanup() },
  ].filter((storage) => storage.name === 'sqlite' || postgresAvailable);
})();

/** An engine with the audit plugin and one custom field, migrated, with tenant `acme` and users. */
export async function auditEngine(storage: RapportStorage, now?: () => Date) {
  const crm = createCrm({
    storage,
    plugins: [auditPlugin({ retentionDays: 30 })],
    fields: { account: { tier: z.string().optional() } },
    ...(now ? { now } : {}),
  });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const system = crm.tenant('acme').system();
  const ada = await system.users.create({ name: 'Ada', role: 'admin' });
  const rita = await system.users.create({ name: 'Rita', role: 'rep' });
  const sam = await system.users.create({ name: 'Sam', role: 'rep' });
  return {
    crm,
    admin: crm.tenant('acme').as({ id: ada.id, role: 'admin' }),
    rita: crm.tenant('acme').as({ id: rita.id, role: 'rep' }),
    sam: crm.tenant('acme').as({ id: sam.id, role: 'rep' }),
  };
}
