import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRecords } from '@rapport/cli';
import { afterAll, expect, it } from 'vitest';
import { securityFixture } from './test-security-fixture.js';

/**
 * Found by classic-vulnerabilities.test.ts (waits on the CLI import's fix): with --skip-invalid,
 * a batch whose write fails with an error that names no row (a CONFLICT on a taken external id,
 * or a lost lock race) loses its other rows: neither written nor rejected.
 */
it('an import with --skip-invalid accounts for every row: written, unchanged or rejected with its line', async () => {
  const fx = await securityFixture();
  const dir = mkdtempSync(join(tmpdir(), 'rapport-import-rows-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  await fx.system.accounts.update(fx.otto.account.id, {
    version: fx.otto.account.version,
    externalId: 'ext-otto',
  });
  const file = join(dir, 'accounts.csv');
  writeFileSync(
    file,
    ['Name,Id', 'Rita new,ext-rita', 'Take over,ext-otto', 'Rita more,ext-more'].join('\n'),
  );
  const summary = await importRecords(fx.ritaScope, {
    object: 'account',
    file,
    map: ['Name=name', 'Id=externalId'],
    owner: fx.users.rita.id,
    skipInvalid: true,
    errorsFile: join(dir, 'errors.csv'),
  });
  expect(summary.created + summary.updated + summary.rejected).toBe(summary.rows);
  expect(summary.errors.map((error) => error.line)).toEqual([3]);
  expect(await fx.ritaScope.accounts.count({ externalId: { in: ['ext-rita', 'ext-more'] } })).toBe(
    2,
  );
});
