import { createCrm, isRapportError } from '@rapport/core';
import { defineKpi, definePlugin, sql } from '@rapport/core/plugin';
import { sqliteStorage } from '@rapport/sqlite';
import { afterEach, describe, expect, test } from 'vitest';
import { npsPlugin } from './nps-plugin.js';

const engines: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.destroy();
});

async function setup() {
  const crm = createCrm({ storage: sqliteStorage(), plugins: [npsPlugin] });
  engines.push(crm);
  await crm.migrate();
  for (const id of ['acme', 'globex']) {
    await crm.createTenant({ id, name: id });
  }
  const admin = crm.tenant('acme').system();
  const rita = await admin.users.create({ name: 'Rita', role: 'rep' });
  const sam = await admin.users.create({ name: 'Sam', role: 'rep' });
  const ada = await admin.users.create({ name: 'Ada', role: 'admin' });
  const ritas = await admin.accounts.create({ name: 'Initech', ownerId: rita.id });
  const globex = crm.tenant('globex').system();
  const gus = await globex.users.create({ name: 'Gus', role: 'admin' });
  const other = await globex.accounts.create({ name: 'Umbrella', ownerId: gus.id });
  return {
    crm,
    admin: crm.tenant('acme').as({ id: ada.id, role: 'admin' }),
    gus,
    rita,
    sam,
    ritas,
    other,
  };
}

describe('a third-party plugin with its own table, typed hooks and a runtime', () => {
  test('its runtime API records an answer; the hook wrote the row in the activity transaction', async () => {
    const { crm, rita, ritas } = await setup();
    const nps = crm.plugin('acme-nps');
    const response = await nps.record(
      'acme',
      { id: rita.id, role: 'rep' },
      {
        accountId: ritas.id,
        score: 9,
      },
    );
    expect(response).toMatchObject({ accountId: ritas.id, score: 9, answeredBy: rita.id });
    expect(await nps.responses('acme')).toEqual([response]);
    expect(await nps.tenantOfResponse(response.id)).toBe('acme');
    expect(nps.activityFields()).toContain('npsScore');
  });

  test("a plugin's tables narrowed to a tenant never show another tenant's rows", async () => {
    const { crm, admin, gus, ritas, other } = await setup();
    await crm.plugin('acme-nps').record('acme', admin.actor, { accountId: ritas.id, score: 3 });
    await crm.plugin('acme-nps').record(
      'globex',
      { id: gus.id, role: 'admin' },
      {
        accountId: other.id,
        score: 10,
      },
    );
    expect((await crm.plugin('acme-nps').responses('acme')).map((r) => r.score)).toEqual([3]);
    expect((await crm.plugin('acme-nps').responses('globex')).map((r) => r.score)).toEqual([10]);
  });

  test('a write that rolls back leaves no row in the plugin table', async () => {
    const { crm, admin, ritas } = await setup();
    await expect(
      admin.transaction(async (tx) => {
        await tx.activities.create({
          type: 'email',
          subject: 'answer',
          accountId: ritas.id,
          custom: { npsScore: 7 },
        });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await crm.plugin('acme-nps').responses('acme')).toEqual([]);
  });

  test("a hook's RapportError rejects the write, and deleting the activity deletes its row", async () => {
    const { crm, admin, ritas } = await setup();
    const error = await admin.activities
      .create({ type: 'email', subject: 'answer', custom: { npsScore: 7 } })
      .catch((e: unknown) => e);
    expect(isRapportError(error) && error.code).toBe('VALIDATION');
    expect(isRapportError(error) && error.issues[0]?.path).toEqual(['accountId']);
    const response = await crm.plugin('acme-nps').record('acme', admin.actor, {
      accountId: ritas.id,
      score: 8,
    });
    await admin.activities.delete(response.id);
    expect(await crm.plugin('acme-nps').responses('acme')).toEqual([]);
  });

  test('the engine checks the rights of the actor the plugin acts as', async () => {
    const { crm, sam, ritas } = await setup();
    // Sam cannot see Rita's account: the activity (and so the response) is refused.
    const error = await crm
      .plugin('acme-nps')
      .record('acme', { id: sam.id, role: 'rep' }, { accountId: ritas.id, score: 1 })
      .catch((e: unknown) => e);
    expect(isRapportError(error)).toBe(true);
    expect(await crm.plugin('acme-nps').responses('acme')).toEqual([]);
  });

  test("its KPI reads the plugin's table through ctx, only the answers the actor may see", async () => {
    const { crm, admin, rita, sam, ritas } = await setup();
    const samsAccount = await admin.accounts.create({ name: 'Hooli', ownerId: sam.id });
    const nps = crm.plugin('acme-nps');
    // Rita's account: promoter, promoter, detractor, passive -> (2 - 1) / 4.
    for (const score of [10, 9, 3, 8]) {
      await nps.record('acme', { id: rita.id, role: 'rep' }, { accountId: ritas.id, score });
    }
    // Sam's account: two detractors.
    for (const score of [0, 6]) {
      await nps.record('acme', { id: sam.id, role: 'rep' }, { accountId: samsAccount.id, score });
    }
    const asRita = crm.tenant('acme').as({ id: rita.id, role: 'rep' });
    const ritasNps = (await asRita.kpis.evaluate(['acme.nps'], { period: 'all' }))['acme.nps'];
    expect(ritasNps.value).toBe(0.25);
    expect(ritasNps.sampleSize).toBe(4);
    // The admin sees all six: (2 - 3) / 6.
    const all = (await admin.kpis.evaluate(['acme.nps'], { period: 'all' }))['acme.nps'];
    expect(all.value).toBeCloseTo(-1 / 6, 10);
    expect(all.sampleSize).toBe(6);
  });

  test('ctx.pluginTable reads only tables a registered plugin declares', async () => {
    const sneaky = definePlugin({
      id: 'sneaky',
      kpis: [
        defineKpi({
          id: 'sneaky.deals',
          group: 'sneaky',
          title: { en: 'Deals', de: 'Deals' },
          description: 'every deal of the tenant, past visibility',
          unit: 'count',
          direction: 'higher',
          dimensions: [],
          async query(ctx) {
            const row = await ctx
              .pluginTable('opportunities', 'o')
              .select(sql<number>`count(*)`.as('n'))
              .executeTakeFirst();
            return [{ key: null, value: Number(row?.n ?? 0), sampleSize: 0 }];
          },
        }),
      ],
    });
    const crm = createCrm({ storage: sqliteStorage(), plugins: [sneaky] });
    engines.push(crm);
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    await expect(
      crm.tenant('acme').system().kpis.evaluate(['sneaky.deals'], { period: 'all' }),
    ).rejects.toThrow(/no registered plugin declares a table opportunities/);
  });

  test('init runs once per engine; a misdeclared table fails createCrm with the plugin named', () => {
    let calls = 0;
    const counted = definePlugin({
      id: 'counted',
      init: () => {
        calls += 1;
        return { calls: () => calls };
      },
    });
    const crm = createCrm({ storage: sqliteStorage(), plugins: [counted] });
    engines.push(crm);
    expect(crm.plugin('counted').calls()).toBe(1);
    expect(crm.plugin('counted').calls()).toBe(1);
    const broken = definePlugin({
      id: 'broken',
      // @ts-expect-error: 'bool' is not a column kind
      tables: { flags: { tenantId: 'text', on: 'bool' } },
    });
    expect(() => createCrm({ storage: sqliteStorage(), plugins: [broken] })).toThrow(
      /plugin broken: column flags.on has kind bool/,
    );
  });
});
