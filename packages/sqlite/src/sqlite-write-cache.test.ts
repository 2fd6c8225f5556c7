import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm, defaultPipelineStages, isRapportError, type RapportError } from '@rapport/core';
import { countQueries } from '@rapport/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStorage } from './sqlite-storage.js';

// The engine keeps pipeline stages and known ids between transactions on SQLite, checked by
// `pragma data_version` once per transaction. These tests prove it saves the statements and
// never hides a change, whether made through the engine or through another connection.

const directory = mkdtempSync(join(tmpdir(), 'rapport-write-cache-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function setUp(name: string) {
  const filename = join(directory, `${name}.sqlite`);
  const { storage, log } = countQueries(sqliteStorage({ filename }));
  const crm = createCrm({ storage });
  await crm.migrate();
  const tenant = await crm.createTenant({ id: 'acme', name: 'Acme' });
  const scope = crm.tenant('acme').system();
  const owner = await scope.users.create({ name: 'Owner' });
  const account = await scope.accounts.create({ name: 'Acme Co', ownerId: owner.id });
  const pipelineId = String(tenant.defaultPipelineId);
  const deal = (extra: Record<string, unknown> = {}) => ({
    name: 'Deal',
    ownerId: owner.id,
    accountId: account.id,
    pipelineId,
    stage: 'Prospecting',
    closeDate: '2026-12-31',
    amount: 1000,
    ...extra,
  });
  return { filename, crm, scope, log, owner, account, pipelineId, deal };
}

async function failure(promise: Promise<unknown>): Promise<RapportError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isRapportError(error)) throw new Error(`expected a RapportError, got ${String(error)}`);
  return error;
}

const renamed = defaultPipelineStages.map((stage) =>
  stage.name === 'Prospecting' ? { ...stage, name: 'Discovery' } : stage,
);

/**
 * The statements that write records, and the one every write transaction adds: the guard that
 * forgets the builds of rollups other engines keep (a `delete from "rollup_builds"`).
 */
function dataStatements(statements: readonly string[]): string[] {
  const guards = statements.filter((text) => /^delete from "rollup_builds"/.test(text));
  expect(guards).toHaveLength(1);
  return statements.filter((text) => !guards.includes(text));
}

describe('the engine write cache on SQLite', () => {
  it('a warm single create runs its two inserts, the rollup guard and no other data statement', async () => {
    const { crm, scope, log, deal } = await setUp('count');
    await scope.opportunities.create(deal({ externalId: 'warm-up' }));
    log.reset();
    const created = await scope.opportunities.create(deal({ externalId: 'counted' }));
    const statements = dataStatements(log.statements);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^insert into "opportunities"/);
    expect(statements[1]).toMatch(/^insert into "stage_history"/);
    expect(await scope.stageHistory.count({ opportunityId: created.id })).toBe(1);
    await crm.destroy();
  });

  it('a warm createMany on known references runs one insert per table', async () => {
    const { crm, scope, log, deal } = await setUp('count-many');
    await scope.opportunities.create(deal({ externalId: 'warm-up' }));
    log.reset();
    const created = await scope.opportunities.createMany([deal(), deal(), deal()]);
    const statements = dataStatements(log.statements);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^insert into "opportunities" .* values \(.*\), \(.*\), \(.*\)$/);
    expect(statements[1]).toMatch(/^insert into "stage_history"/);
    expect(created.map((record) => record.id)).toEqual(
      [...created.map((record) => record.id)].sort(),
    );
    await crm.destroy();
  });

  it('stages changed through the engine are seen by the next create', async () => {
    const { crm, scope, deal, pipelineId } = await setUp('engine-change');
    await scope.opportunities.create(deal());
    const pipeline = await scope.pipelines.get(pipelineId);
    await scope.pipelines.update(pipelineId, { version: pipeline.version, stages: renamed });
    const error = await failure(scope.opportunities.create(deal()));
    expect(error.code).toBe('VALIDATION');
    expect(error.issues).toMatchObject([{ path: ['stage'], code: 'unknown_stage' }]);
    expect((await scope.opportunities.create(deal({ stage: 'Discovery' }))).stage).toBe(
      'Discovery',
    );
    await crm.destroy();
  });

  it('stages changed through another connection are seen by the next create', async () => {
    const { crm, scope, deal, pipelineId, filename } = await setUp('other-change');
    await scope.opportunities.create(deal());
    const other = createCrm({ storage: sqliteStorage({ filename }) });
    const otherScope = other.tenant('acme').system();
    const pipeline = await otherScope.pipelines.get(pipelineId);
    await otherScope.pipelines.update(pipelineId, { version: pipeline.version, stages: renamed });
    await other.destroy();
    const error = await failure(scope.opportunities.create(deal()));
    expect(error.issues).toMatchObject([{ path: ['stage'], code: 'unknown_stage' }]);
    await crm.destroy();
  });

  it('a record deleted through another connection is an unknown reference, not a stale hit', async () => {
    const { crm, scope, deal, owner, filename } = await setUp('other-delete');
    const doomed = await scope.accounts.create({ name: 'Doomed', ownerId: owner.id });
    const referencing = await scope.opportunities.create(deal({ accountId: doomed.id }));
    const other = createCrm({ storage: sqliteStorage({ filename }) });
    await other.tenant('acme').system().opportunities.delete(referencing.id);
    await other.tenant('acme').system().accounts.delete(doomed.id);
    await other.destroy();
    const error = await failure(scope.opportunities.create(deal({ accountId: doomed.id })));
    expect(error.code).toBe('VALIDATION');
    expect(error.issues).toMatchObject([{ path: ['accountId'], code: 'unknown_reference' }]);
    await crm.destroy();
  });

  it('ids of a rolled-back transaction are not remembered', async () => {
    const { crm, scope, deal, owner } = await setUp('rollback');
    let accountId = '';
    await expect(
      scope.transaction(async (tx) => {
        accountId = (await tx.accounts.create({ name: 'Gone', ownerId: owner.id })).id;
        await tx.opportunities.create(deal({ accountId }));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const error = await failure(scope.opportunities.create(deal({ accountId })));
    expect(error.issues).toMatchObject([{ path: ['accountId'], code: 'unknown_reference' }]);
    const batch = await failure(scope.opportunities.createMany([deal(), deal({ accountId })]));
    expect(batch.issues).toMatchObject([{ path: [1, 'accountId'], code: 'unknown_reference' }]);
    await crm.destroy();
  });

  it('a record deleted through this engine is forgotten at once', async () => {
    const { crm, scope, deal, owner } = await setUp('engine-delete');
    const doomed = await scope.accounts.create({ name: 'Doomed', ownerId: owner.id });
    const first = await scope.opportunities.createMany([deal({ accountId: doomed.id })]);
    await scope.opportunities.delete(String(first[0]?.id));
    await scope.accounts.delete(doomed.id);
    const error = await failure(scope.opportunities.createMany([deal({ accountId: doomed.id })]));
    expect(error.issues).toMatchObject([{ path: [0, 'accountId'], code: 'unknown_reference' }]);
    await crm.destroy();
  });
});
