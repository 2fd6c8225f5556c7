import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectPlugins } from '../database/open-crm.js';
import { runCli } from '../run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-rollups-cli-'));
const db = join(dir, 'crm.sqlite');

/** Runs `rapport` in this process and returns its exit code and output. */
async function rapport(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(['node', 'rapport', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  // Deals written by an engine without rollups: the rollups of the file are not built.
  const crm = createCrm({
    storage: sqliteStorage({ filename: db }),
    plugins: await projectPlugins(undefined),
    now: () => new Date('2026-06-15T09:00:00Z'),
  });
  await crm.migrate();
  await crm.createTenant({ id: 'demo', name: 'Demo', baseCurrency: 'EUR' });
  const admin = crm.tenant('demo').system();
  const ana = await admin.users.create({ name: 'Ana' });
  for (const [stage, closeDate] of [
    ['Closed Won', '2026-05-02'],
    ['Closed Lost', '2026-06-03'],
    ['Prospecting', '2026-07-01'],
  ] as const) {
    await admin.opportunities.create({
      name: stage,
      ownerId: ana.id,
      amount: 10_00,
      stage,
      closeDate,
    });
  }
  await crm.destroy();
});

describe('rapport rollups', () => {
  it('check reports the cells that differ from a recompute (exit 1), rebuild repairs them, in English and German', async () => {
    // Written without rollups: none is built, and the status says so (reading only).
    const unbuilt = await rapport('rollups', 'status', '--db', db, '--json');
    expect(unbuilt.code).toBe(0);
    const [stale] = JSON.parse(unbuilt.stdout) as {
      tenantId: string;
      kept: boolean;
      rollups: { built: boolean; cells: number }[];
    }[];
    expect(stale?.tenantId).toBe('demo');
    expect(stale?.kept).toBe(true);
    expect(stale?.rollups.length).toBeGreaterThan(0);
    expect(stale?.rollups.filter((rollup) => rollup.built)).toEqual([]);
    const text = await rapport('rollups', 'status', '--db', db, '--lang', 'de');
    expect(text.stdout).toMatch(/Rollups sind nicht vollständig/);
    const before = await rapport('rollups', 'check', '--db', db, '--lang', 'de');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('Abweichungen');
    expect(before.stderr).toMatch(/Zellen weichen von der Neuberechnung ab/);
    const rebuilt = await rapport('rollups', 'rebuild', '--db', db, '--json');
    expect(rebuilt.code).toBe(0);
    const [report] = JSON.parse(rebuilt.stdout) as { tenantId: string; cells: number }[];
    expect(report?.tenantId).toBe('demo');
    expect(report?.cells).toBeGreaterThan(0);
    const after = await rapport('rollups', 'check', '--db', db);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('every rollup equals its recompute');
    const status = await rapport('rollups', 'status', '--db', db);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(/not built/);
    const [built] = JSON.parse(
      (await rapport('rollups', 'status', '--db', db, '--json')).stdout,
    ) as {
      rollups: { built: boolean; cells: number }[];
    }[];
    expect(built?.rollups.every((rollup) => rollup.built)).toBe(true);
    expect(built?.rollups.reduce((sum, rollup) => sum + rollup.cells, 0)).toBe(report?.cells);
  });

  it('an unknown tenant is bad input', async () => {
    const result = await rapport('rollups', 'check', '--db', db, '--tenant', 'nope');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/tenant nope does not exist/);
  });
});
