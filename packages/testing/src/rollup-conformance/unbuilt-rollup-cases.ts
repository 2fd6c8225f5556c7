import { createCrm } from '@rapport/core';
import { unscopedDatabase } from '@rapport/core/storage';
import { closingPlugin } from '@rapport/kpi-closing';
import { expect, test } from 'vitest';
import { applyDealOp, at, days, type Op } from './deal-writes.js';
import type { RollupSuite } from './rollup-suite.js';

/** @internal Rollups not built (written without them, by another engine, an older shape): scanned until a rebuild, never read stale. Registered last: its last case replaces the table every tenant shares. */
export function unbuiltRollupCases(suite: RollupSuite): void {
  const { clock, engines, storageOf, newWorld, compare } = suite;
  test('a tenant written without rollups is scanned until rebuildRollups, then read from exact rollups', async () => {
    const world = await newWorld(engines().scanned);
    const tenantId = world.scope.tenantId;
    const steps: Op[] = [
      {
        kind: 'create',
        owner: 1,
        amount: 12_00,
        usd: false,
        day: 4,
        stage: 'Closed Won',
        source: 'Web',
      },
      {
        kind: 'create',
        owner: 2,
        amount: 30_00,
        usd: true,
        day: 3,
        stage: 'Closed Lost',
        source: null,
      },
      { kind: 'import', count: 9, seed: 4 },
    ];
    for (const step of steps) await applyDealOp(world, step);
    engines().log.reset();
    await compare(world, tenantId);
    expect(engines().log.statements.join('\n')).not.toMatch(/from "rollup_cells"/);
    const [check] = await engines().kept.checkRollups({ tenantId });
    expect(check?.differences.length).toBeGreaterThan(0);
    const [rebuilt] = await engines().kept.rebuildRollups({ tenantId });
    expect(rebuilt?.cells).toBeGreaterThan(0);
    const [after] = await engines().kept.checkRollups({ tenantId });
    expect(after?.differences).toEqual([]);
    engines().log.reset();
    await compare(world, tenantId);
    expect(engines().log.statements.join('\n')).toMatch(/rollup_cells/);
  }, 300_000);

  test('a write by an engine that does not keep the rollups (rollups off, or other plugins) makes them scan until a rebuild, never read stale', async () => {
    const world = await newWorld(engines().kept);
    const tenantId = world.scope.tenantId;
    await applyDealOp(world, { kind: 'import', count: 6, seed: 2 });
    const readsRollups = async () => {
      engines().log.reset();
      await compare(world, tenantId);
      return /from "rollup_cells"/.test(engines().log.statements.join('\n'));
    };
    expect(await readsRollups()).toBe(true);
    // Rollups off: the deal is in no cell, so without the guard the kept engine would miss it.
    const off = engines().scanned.tenant(tenantId).system();
    await off.opportunities.create({
      name: 'written without rollups',
      ownerId: world.owners[1],
      amount: 40_00,
      openDate: '2026-03-01',
      closeDate: at(days, 4),
      stage: 'Closed Won',
    });
    expect(await readsRollups()).toBe(false);
    const [stale] = await engines().kept.checkRollups({ tenantId });
    expect(stale?.differences.length).toBeGreaterThan(0);
    // The status says what the guard did: every rollup unbuilt, its cells still there.
    const [unbuilt] = await engines().kept.rollupStatus({ tenantId });
    expect(unbuilt?.kept).toBe(true);
    expect(unbuilt?.rollups.length).toBeGreaterThan(10);
    expect(unbuilt?.rollups.filter((rollup) => rollup.built)).toEqual([]);
    expect(unbuilt?.rollups.some((rollup) => rollup.cells > 0)).toBe(true);
    expect(unbuilt?.otherRollups).toEqual([]);
    const [offStatus] = await engines().scanned.rollupStatus({ tenantId });
    expect(offStatus?.kept).toBe(false);
    expect(offStatus?.rollups.map((rollup) => rollup.id)).toEqual(
      unbuilt?.rollups.map((rollup) => rollup.id),
    );
    await engines().kept.rebuildRollups({ tenantId });
    expect(await readsRollups()).toBe(true);
    const [built] = await engines().kept.rollupStatus({ tenantId });
    const cellsOf = (status: typeof built) =>
      status?.rollups.reduce((sum, rollup) => sum + rollup.cells, 0);
    const [report] = await engines().kept.checkRollups({ tenantId });
    expect(built?.rollups.every((rollup) => rollup.built && rollup.builtAt !== null)).toBe(true);
    expect(cellsOf(built)).toBe(report?.cells);
    expect(built?.rollups.find((rollup) => rollup.dimension === 'product')?.object).toBe(
      'opportunity',
    );
    expect(built?.rollups.some((rollup) => rollup.kind === 'histogram')).toBe(true);
    // Rollups on with another plugin set: it keeps its own rollups, not these.
    // Not destroyed: like the scanning engine, it shares the suite's storage (and connection).
    const closingOnly = createCrm({
      storage: await storageOf(),
      plugins: [closingPlugin],
      now: () => clock.now,
      rollups: true,
    });
    await closingOnly
      .tenant(tenantId)
      .system()
      .opportunities.create({
        name: 'open, written by the closing plugin alone',
        ownerId: world.owners[2],
        amount: 55_00,
        openDate: '2026-03-01',
        closeDate: at(days, 4),
        stage: 'Prospecting',
      });
    // The open-deal cells of the pipeline plugin miss the deal; the closing ones stay exact
    // (the same rollups in both engines) and are still read. Every figure equals the scan.
    const [missed] = await engines().kept.checkRollups({ tenantId });
    expect(missed?.differences.length).toBeGreaterThan(0);
    expect(await readsRollups()).toBe(true);
    // The guard unmarked exactly the rollups the closing-only engine does not define; the ones
    // both define (the same ids) stay built.
    const [mixed] = await engines().kept.rollupStatus({ tenantId });
    const [own] = await closingOnly.rollupStatus({ tenantId });
    const ownIds = new Set(own?.rollups.map((rollup) => rollup.id));
    const keptIds = new Set(mixed?.rollups.map((rollup) => rollup.id));
    expect(ownIds.size).toBeGreaterThan(0);
    expect(mixed?.rollups.filter((rollup) => !rollup.built).map((rollup) => rollup.id)).toEqual(
      mixed?.rollups.filter((rollup) => !ownIds.has(rollup.id)).map((rollup) => rollup.id),
    );
    expect(mixed?.rollups.some((rollup) => rollup.built)).toBe(true);
    expect(mixed?.otherRollups).toEqual([...ownIds].filter((id) => !keptIds.has(id)).sort());
    await engines().kept.rebuildRollups({ tenantId });
    const [after] = await engines().kept.checkRollups({ tenantId });
    expect(after?.differences).toEqual([]);
    expect(await readsRollups()).toBe(true);
    // A time zone change by an engine without rollups moves leads between months in cells it
    // cannot recompute: the keeping engine must not read them in the new zone's periods.
    await applyDealOp(world, { kind: 'leadImport', count: 8, seed: 1 });
    await off.updateSettings({ timeZone: 'Asia/Kolkata' });
    const [rezoned] = await engines().kept.checkRollups({ tenantId });
    expect(rezoned?.differences.length).toBeGreaterThan(0);
    expect(await readsRollups()).toBe(false);
  }, 300_000);

  // Last: it replaces the rollup table every tenant of this storage shares.
  test('a database whose rollups have the 0006 shape (a row per measure) scans until a rebuild fills the row-per-key shape of 0008', async () => {
    const world = await newWorld(engines().kept);
    const tenantId = world.scope.tenantId;
    for (const step of [
      { kind: 'import', count: 9, seed: 3 },
      { kind: 'quota', owner: 1, period: ['2026-06-01', '2026-06-30'] },
    ] as const satisfies readonly Op[])
      await applyDealOp(world, step);
    const db = unscopedDatabase(engines().kept);
    const { types } = await storageOf();
    // The database as 0006 left it: cells keyed by measure, with their build rows.
    await db.deleteFrom('kysely_migration').where('name', '=', 'core:0008-rollup-rows').execute();
    await db.schema.dropTable('rollupCells').execute();
    await db.schema
      .createTable('rollupCells')
      .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
      .addColumn('rollup', types.text, (c) => c.notNull())
      .addColumn('bucket', types.text, (c) => c.notNull())
      .addColumn('ownerId', types.text, (c) => c.notNull())
      .addColumn('currency', types.text, (c) => c.notNull())
      .addColumn('groupKey', types.text, (c) => c.notNull())
      .addColumn('measure', types.integer, (c) => c.notNull())
      .addColumn('n', types.bigint, (c) => c.notNull())
      .addColumn('s', types.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('rollup_cells_pk', [
        'tenantId',
        'rollup',
        'bucket',
        'ownerId',
        'currency',
        'groupKey',
        'measure',
      ])
      .execute();
    await db
      .insertInto('rollupCells')
      .values({
        tenantId,
        rollup: 'opportunity:total:old',
        bucket: '2026-06',
        ownerId: world.owners[1],
        currency: 'EUR',
        groupKey: '',
        measure: 1,
        n: 3,
        s: 0,
      })
      .execute();
    const built = await db.selectFrom('rollupBuilds').select('rollup').execute();
    expect(built.length).toBeGreaterThan(0);
    expect(await engines().kept.migrate()).toEqual({ applied: ['core:0008-rollup-rows'] });
    expect(await db.selectFrom('rollupBuilds').select('rollup').execute()).toEqual([]);
    expect(await db.selectFrom('rollupCells').selectAll().execute()).toEqual([]);
    engines().log.reset();
    await compare(world, tenantId);
    expect(engines().log.statements.join('\n')).not.toMatch(/from "rollup_cells"/);
    const [rebuilt] = await engines().kept.rebuildRollups({ tenantId });
    expect(rebuilt?.cells).toBeGreaterThan(0);
    const [check] = await engines().kept.checkRollups({ tenantId });
    expect(check?.differences).toEqual([]);
    engines().log.reset();
    await compare(world, tenantId);
    expect(engines().log.statements.join('\n')).toMatch(/rollup_cells/);
  }, 300_000);
}
