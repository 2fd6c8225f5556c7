import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrm, type KpiResult } from '@rapport/core';
import { unscopedDatabase } from '@rapport/core/storage';
import { sqliteStorage } from '@rapport/sqlite';
import { generateCrmData, insertGeneratedData } from '@rapport/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServe } from '../../packages/cli/src/commands/serve.js';
import { loadKpiPlugins } from '../../packages/cli/src/database/kpi-plugins.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, 'dist');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'rapport-dashboard-'));
const database = join(workDir, 'demo.sqlite');

let served: Awaited<ReturnType<typeof startServe>>;
let browser: Browser;

/** A demo-like database: the seeded generator's reps, accounts, leads, deals and contracts. */
async function seedDemo(): Promise<void> {
  const storage = sqliteStorage({ filename: database });
  const crm = createCrm({ storage, plugins: await loadKpiPlugins() });
  await crm.migrate();
  const tenant = await crm.createTenant({
    id: 'demo',
    name: 'Demo GmbH',
    timeZone: 'Europe/Berlin',
  });
  await insertGeneratedData(
    unscopedDatabase(crm),
    generateCrmData({
      tenantId: 'demo',
      pipelineId: tenant.defaultPipelineId!,
      seed: 7,
      opportunities: 600,
      reps: 6,
      start: '2024-01-01',
      months: 24,
    }),
  );
  await crm.destroy();
}

async function apiResults(query: string): Promise<Record<string, KpiResult>> {
  const response = await fetch(`${served.server.apiUrl}/kpis/evaluate?${query}`, {
    headers: { authorization: `Bearer ${served.server.apiKey}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { results: Record<string, KpiResult> }).results;
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', undefined, {
    timeout: 20_000,
  });
  const state = await page.evaluate(() => ({
    state: document.body.dataset.state,
    error: document.querySelector('.error')?.textContent ?? null,
  }));
  expect(state).toEqual({ state: 'ready', error: null });
}

async function shownWinRate(page: Page) {
  const card = page.locator('[data-kpi="closing.winRate"]');
  return {
    value: Number(await card.getAttribute('data-value')),
    text: (await card.locator('.value').textContent())?.trim() ?? '',
  };
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  await Promise.all([build({ root: here, logLevel: 'error' }), seedDemo()]);
  served = await startServe({ location: database, tenantId: 'demo', port: 0, dashboardDir: dist });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('the dashboard shows the API win rate, follows the period filter, and fits a laptop and a phone', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(served.server.dashboardUrl!);
  await ready(page);
  // The key moved from the URL fragment into the browser's storage.
  expect(new URL(page.url()).hash).toBe('');

  const period = await page.locator('#period').inputValue();
  const api = (await apiResults(`ids=closing.winRate&period=${period}`))['closing.winRate']!;
  expect(api.value).not.toBeNull();
  const shown = await shownWinRate(page);
  expect(shown.value).toBe(api.value);
  expect(shown.text).toBe(
    new Intl.NumberFormat('en-US', {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }).format(api.value!),
  );
  // Every KPI group the API offers is drawn: cards for each KPI, charts as canvases.
  const catalog = (await (
    await fetch(`${served.server.apiUrl}/kpis`, {
      headers: { authorization: `Bearer ${served.server.apiKey}` },
    })
  ).json()) as { kpis: { id: string }[] };
  expect(await page.locator('[data-kpi]').count()).toBe(catalog.kpis.length);
  expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
  await page.screenshot({ path: join(screenshots, 'dashboard-1280x800.png') });
  await page.screenshot({ path: join(screenshots, 'dashboard-1280-full.png'), fullPage: true });

  // Another period: the figures change and still equal the API's.
  const options = await page
    .locator('#period option')
    .evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value));
  let changed = false;
  for (const other of options.filter((value) => /^\d{4}-Q\d$/.test(value))) {
    const expected = (await apiResults(`ids=closing.winRate&period=${other}`))['closing.winRate']!;
    if (expected.value === null || expected.value === api.value) continue;
    await page.selectOption('#period', other);
    await page.waitForFunction(
      (value) =>
        document.querySelector('[data-kpi="closing.winRate"]')?.getAttribute('data-value') ===
        String(value),
      expected.value,
      { timeout: 20_000 },
    );
    await ready(page);
    expect((await shownWinRate(page)).value).toBe(expected.value);
    changed = true;
    break;
  }
  expect(changed).toBe(true);

  // German, on a phone.
  await page.click('[data-lang="de"]');
  await ready(page);
  expect(await page.locator('html').getAttribute('lang')).toBe('de');
  expect(await page.locator('[data-group="closing"] h2').textContent()).toBe('Abschluss');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(screenshots, 'dashboard-390x844.png') });
  await page.screenshot({ path: join(screenshots, 'dashboard-390-full.png'), fullPage: true });
  // Nothing sticks out sideways on a phone.
  const overflow = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth - window.innerWidth,
    // Tables scroll inside their own box; everything else must fit.
    wide: [...document.querySelectorAll('body *')]
      .filter((element) => !element.closest('.table-scroll'))
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName}.${element.className}`),
  }));
  expect(overflow).toEqual({ width: 0, wide: [] });
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

test('the page asks for what it shows in as few calls as the API allows, side by side', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const api = `${served.server.apiUrl}/`;
  const requests: URL[] = [];
  let inFlight = 0;
  const inFlightSeen: number[] = [];
  page.on('request', (request) => {
    // The page's own calls; the service worker's cache fills would count them twice.
    if (!request.url().startsWith(api) || request.serviceWorker()) return;
    requests.push(new URL(request.url()));
    if (request.url().includes('/kpis/evaluate')) inFlightSeen.push(++inFlight);
  });
  // Sent and finished evaluate calls in order: the charts' calls wait for the totals.
  const events: string[] = [];
  page.on('requestfinished', (request) => {
    if (!request.url().includes('/kpis/evaluate')) return;
    inFlight--;
    events.push(`finished ${new URL(request.url()).search}`);
  });
  page.on('request', (request) => {
    if (request.url().includes('/kpis/evaluate') && !request.serviceWorker()) {
      events.push(`sent ${new URL(request.url()).search}`);
    }
  });
  await page.goto(served.server.dashboardUrl!);
  await ready(page);
  expect(await page.evaluate(() => document.body.dataset.cards)).toBe('ready');
  const evaluations = requests.filter((url) => url.pathname.endsWith('/kpis/evaluate'));
  const period = await page.locator('#period').inputValue();
  const catalog = (await (
    await fetch(`${served.server.apiUrl}/kpis`, {
      headers: { authorization: `Bearer ${served.server.apiKey}` },
    })
  ).json()) as { kpis: { id: string }[] };
  // The totals of every group: one call (no filter is chosen) for every KPI of the catalogue.
  const totals = evaluations.filter((url) => !url.searchParams.has('by'));
  const forPeriod = totals.filter((url) => url.searchParams.get('period') === period);
  expect(forPeriod).toHaveLength(1);
  // The totals (every card) are the first call, and every chart's call is sent after they came.
  const totalsCall = forPeriod[0]?.search;
  expect(events[0]).toBe(`sent ${totalsCall}`);
  expect(events[1]).toBe(`finished ${totalsCall}`);
  expect(new Set(forPeriod[0]?.searchParams.get('ids')?.split(','))).toEqual(
    new Set(catalog.kpis.map((kpi) => kpi.id)),
  );
  // One call per breakdown and per month of the retention chart, none asked twice.
  const keys = evaluations.map(
    (url) => `${url.searchParams.get('by')} ${url.searchParams.get('period')}`,
  );
  expect(new Set(keys).size).toBe(keys.length);
  const months = totals.filter((url) => /^\d{4}-\d{2}$/.test(url.searchParams.get('period') ?? ''));
  expect(months).toHaveLength(12);
  const breakdowns = evaluations.filter((url) => url.searchParams.has('by'));
  expect(new Set(breakdowns.map((url) => url.searchParams.get('by')))).toEqual(
    new Set(['owner', 'product', 'stage', 'leadSource']),
  );
  // Eight calls for the page's frame (session, catalogue, users, products, pipelines, teams,
  // the first and last close date), then the KPIs: 1 + 4 + 12 (it was a totals call per group,
  // and one group after another).
  expect(requests.length - evaluations.length).toBe(8);
  expect(evaluations).toHaveLength(1 + 4 + 12);
  // Side by side as far as the API lets one key (2 evaluations at once), not one by one.
  expect(Math.max(...inFlightSeen)).toBe(2);
  await page.close();
}, 60_000);

test('a link with a period asks for the totals with the page frame, once, and shows them', async () => {
  const period = '2025';
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const evaluations: URL[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/kpis/evaluate') && !request.serviceWorker()) {
      evaluations.push(new URL(request.url()));
    }
  });
  const key = encodeURIComponent(served.server.apiKey);
  await page.goto(`${served.server.url}/?period=${period}#key=${key}`);
  await ready(page);
  // The totals went out as the first evaluate call, without ids (every KPI of the catalogue),
  // and were not asked for again once the catalogue came.
  const totals = evaluations.filter(
    (url) => url.searchParams.get('period') === period && !url.searchParams.has('by'),
  );
  expect(totals).toHaveLength(1);
  expect(evaluations[0]?.search).toBe(totals[0]?.search);
  expect(totals[0]?.searchParams.has('ids')).toBe(false);
  expect(evaluations).toHaveLength(1 + 4 + 12);
  const api = (await apiResults(`ids=closing.winRate&period=${period}`))['closing.winRate']!;
  expect((await shownWinRate(page)).value).toBe(api.value);
  await page.close();
}, 60_000);
