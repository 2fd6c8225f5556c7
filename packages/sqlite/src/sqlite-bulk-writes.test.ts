import { createCrm, isRapportError, type RapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { sqliteStorage } from './sqlite-storage.js';

// The bulk import path (upsertMany, createMany) on SQLite: a batch is one transaction, so one
// bad row, refused by validation or by the database, leaves nothing of the batch behind.

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('bulk writes on SQLite', () => {
  async function engine() {
    const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
    await crm.migrate();
    const tenant = await crm.createTenant({ id: 'acme', name: 'Acme' });
    const scope = crm.tenant('acme').system();
    const owner = await scope.users.create({ name: 'Owner' });
    const deal = (externalId: string, extra: Record<string, unknown> = {}) => ({
      externalId,
      name: `Deal ${externalId}`,
      ownerId: owner.id,
      pipelineId: String(tenant.defaultPipelineId),
      stage: 'Prospecting',
      closeDate: '2026-12-31',
      amount: 1000,
      ...extra,
    });
    return { crm, scope, deal };
  }

  async function rapportFailure(promise: Promise<unknown>): Promise<RapportError> {
    const error = await failure(promise);
    if (!isRapportError(error)) throw new Error(`expected a RapportError, got ${String(error)}`);
    return error;
  }

  it('writes every record of a batch and its stage history', async () => {
    const { crm, scope, deal } = await engine();
    const { created } = await scope.opportunities.upsertMany([
      deal('D-1'),
      deal('D-2'),
      deal('D-3'),
    ]);
    expect(created).toBe(3);
    expect(await scope.opportunities.count()).toBe(3);
    expect(await scope.stageHistory.count()).toBe(3);
    await crm.destroy();
  });

  it('a batch with one invalid row names its index and field and writes nothing', async () => {
    const { crm, scope, deal } = await engine();
    const error = await rapportFailure(
      scope.opportunities.upsertMany([
        deal('D-1'),
        deal('D-2', { closeDate: '31.12.2026' }),
        deal('D-3'),
      ]),
    );
    expect(error.code).toBe('VALIDATION');
    expect(error.issues).toMatchObject([{ path: [1, 'closeDate'] }]);
    expect(await scope.opportunities.count()).toBe(0);
    expect(await scope.stageHistory.count()).toBe(0);
    await crm.destroy();
  });

  it('a row the database refuses fails the batch as CONFLICT and writes nothing', async () => {
    const { crm, scope, deal } = await engine();
    const existing = await scope.opportunities.create({ ...deal('D-0'), id: 'taken-id' });
    const error = await rapportFailure(
      scope.opportunities.createMany([
        deal('D-1'),
        deal('D-2'),
        { ...deal('D-3'), id: existing.id },
      ]),
    );
    expect(error.code).toBe('CONFLICT');
    expect(await scope.opportunities.count()).toBe(1);
    expect(await scope.stageHistory.count()).toBe(1);
    await crm.destroy();
  });
});
