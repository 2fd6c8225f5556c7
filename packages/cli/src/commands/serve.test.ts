import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { beforeAll, expect, test } from 'vitest';

// Runs the built binary as a user would; `npm test` builds first.
const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rapport-serve-'));
const database = join(dir, 'crm.sqlite');
const dashboard = join(dir, 'dashboard');
const {
  RAPPORT_DB: _db,
  RAPPORT_TENANT: _tenant,
  RAPPORT_DASHBOARD_DIR: _dir,
  ...env
} = process.env;

interface Started {
  readonly child: ChildProcess;
  readonly output: string;
  readonly key: string;
  readonly url: string;
}

/** Starts `rapport serve` and waits for the line with the key (or for the process to end). */
function serve(...args: string[]): Promise<Started & { readonly code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--db', database, '--port', '0', ...args],
      {
        cwd: dir,
        env,
      },
    );
    let output = '';
    const done = (code: number | null) => {
      const key = output.match(/API key: +(\S+)/)?.[1] ?? '';
      const url = output.match(/API: +(\S+)/)?.[1] ?? '';
      resolve({ child, output, key, url, code });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl+C')) done(null);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => done(code));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

beforeAll(async () => {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: build with npm run build -w @rapport/cli`);
  const crm = createCrm({ storage: sqliteStorage({ filename: database }) });
  await crm.migrate();
  await crm.createTenant({ id: 'demo', name: 'Demo GmbH' });
  await crm.destroy();
  mkdirSync(dashboard);
  writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>dashboard marker</title>');
});

test('serve prints the URLs and a key that works; a restart revokes the old key; Ctrl+C stops it', async () => {
  const first = await serve('--dashboard', dashboard);
  expect(first.output).toMatch(/Rapport serves tenant demo from .*crm\.sqlite/);
  expect(first.output).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/#key=rpk_/);
  expect(first.key).toMatch(/^rpk_[0-9a-f]{16}_/);
  const session = await fetch(`${first.url}/session`, {
    headers: { authorization: `Bearer ${first.key}` },
  });
  expect(session.status).toBe(200);
  expect(await session.json()).toMatchObject({ tenantId: 'demo', actor: { role: 'admin' } });
  expect((await fetch(`${first.url}/session`)).status).toBe(401);
  const page = await fetch(first.url.replace(/\/api$/, '/'));
  expect(await page.text()).toContain('dashboard marker');
  expect(await stop(first.child)).toBe(0);

  const second = await serve('--dashboard', dashboard);
  try {
    expect(second.key).not.toBe(first.key);
    const old = await fetch(`${second.url}/session`, {
      headers: { authorization: `Bearer ${first.key}` },
    });
    expect(old.status).toBe(401);
    const fresh = await fetch(`${second.url}/session`, {
      headers: { authorization: `Bearer ${second.key}` },
    });
    expect(fresh.status).toBe(200);
  } finally {
    await stop(second.child);
  }
});

test('an unknown tenant or a missing database is a clear error with exit code 1', async () => {
  const tenant = await serve('--tenant', 'nope');
  expect(tenant.code).toBe(1);
  expect(tenant.output).toContain('tenant nope not found');
  expect(tenant.output).not.toContain('    at ');
  const missing = spawn(process.execPath, [bin, 'serve', '--db', join(dir, 'none.sqlite')], {
    env,
  });
  let stderr = '';
  missing.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise((resolve) => missing.on('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toContain('not found');
});

test('the built package carries the workspace app, and serve finds it beside its code first', async () => {
  // What `npm pack` publishes: dist/ holds the built app, so an installed CLI serves it.
  const shipped = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));
  expect(existsSync(join(shipped, 'index.html'))).toBe(true);
  expect(existsSync(join(shipped, 'manifest.webmanifest'))).toBe(true);
  const { findDashboard } = await import('./serve.js');
  const installed = mkdtempSync(join(tmpdir(), 'rapport-installed-'));
  mkdirSync(join(installed, 'dashboard'));
  writeFileSync(join(installed, 'dashboard', 'index.html'), '<!doctype html>');
  expect(findDashboard({}, installed)).toBe(join(installed, 'dashboard'));
  expect(findDashboard({ RAPPORT_DASHBOARD_DIR: dashboard }, installed)).toBe(dashboard);
});
