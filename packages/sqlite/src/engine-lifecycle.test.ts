import { createCrm, isRapportError } from '@rapport/core';
import { describe, expect, test } from 'vitest';
import { sqliteStorage } from './sqlite-storage.js';

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the engine says what to do when it is used out of order', () => {
  test('before migrate(): NOT_MIGRATED, naming crm.migrate() and rapport migrate', async () => {
    const crm = createCrm({ storage: sqliteStorage() });
    const error = await errorOf(() => crm.ensureTenant({ id: 'acme', name: 'Acme' }));
    expect(isRapportError(error) && error.code).toBe('NOT_MIGRATED');
    expect(String((error as Error).message)).toMatch(/crm\.migrate\(\).*rapport migrate/);
    const read = await errorOf(() => crm.tenant('acme').system().accounts.list());
    expect(isRapportError(read) && read.code).toBe('NOT_MIGRATED');
    // Migrating afterwards works: the migrator's own probes are not turned into errors.
    await crm.migrate();
    await crm.ensureTenant({ id: 'acme', name: 'Acme' });
    expect((await crm.tenant('acme').system().accounts.list()).items).toEqual([]);
    await crm.destroy();
  });

  test('after destroy(): DESTROYED, saying the engine is closed', async () => {
    const crm = createCrm({ storage: sqliteStorage() });
    await crm.migrate();
    await crm.ensureTenant({ id: 'acme', name: 'Acme' });
    await crm.destroy();
    const error = await errorOf(() => crm.tenant('acme').system().accounts.list());
    expect(isRapportError(error) && error.code).toBe('DESTROYED');
    expect(String((error as Error).message)).toMatch(/crm\.destroy\(\)/);
  });
});
