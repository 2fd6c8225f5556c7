import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createCrm } from '@rapport/core';
import { unscopedDatabase } from '@rapport/core/storage';
import { sqliteStorage } from '@rapport/sqlite';
import { generateCrmData, insertGeneratedData } from '@rapport/testing';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServe } from '../../packages/cli/src/commands/serve.js';
import { loadKpiPlugins } from '../../packages/cli/src/database/kpi-plugins.js';
import { retryingAfter429 } from '../../packages/workspace/src/api/retry-after.js';
import { axeViolations, loaded } from './test-workspace-page.js';

// The workspace's predictions in Chromium: lead scores with their reasons after the leads were
// scored with the CLI, the forecast with its P10–P90 range against quota and the quotas at
// risk (a manager's roll-up with its own range), the learned win probability in the deal drawer; on a laptop and a phone, en and de.

const here = fileURLToPath(new URL('.', import.meta.url));
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const cli = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'rapport-workspace-predict-'));
const dist = join(workDir, 'app');
const database = join(workDir, 'crm.sqlite');

let served: Awaited<ReturnType<typeof startServe>>;
let browser: Browser;

const send = retryingAfter429();

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await send(`${served.server.apiUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${served.server.apiKey}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  return { status: response.status, body: (await response.json()) as T };
}

interface Figures {
  key: string | null;
  label: string | null;
  wonSoFar: number;
  p10: number;
  p50: number;
  p90: number;
  openDeals: number;
  quota: number | null;
  quotaProbability: number | null;
  quotaAtRisk: boolean;
}

async function open(page: Page, query: string): Promise<void> {
  await page.goto(`${served.server.dashboardUrl}`);
  await page.waitForFunction(() => document.body.dataset.state !== undefined);
  await page.goto(`${served.server.url}/${query}`);
}

function twoYearsBack(): string {
  const now = new Date();
  return `${now.getUTCFullYear() - 2}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** This quarter's first and last day (UTC; the tenant is in Berlin, a day off at most at 00:00). */
function thisQuarter(): { start: string; end: string } {
  const now = new Date();
  const first = Math.floor(now.getUTCMonth() / 3) * 3;
  const start = new Date(Date.UTC(now.getUTCFullYear(), first, 1)).toISOString().slice(0, 10);
  const end = new Date(Date.UTC(now.getUTCFullYear(), first + 3, 0)).toISOString().slice(0, 10);
  return { start, end };
}

/** The reps whose quota the test sets: one out of reach, one well within it. */
let plan: { stretched: Figures; reachable: Figures };

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const seed = async () => {
    const crm = createCrm({
      storage: sqliteStorage({ filename: database }),
      plugins: await loadKpiPlugins(),
    });
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
        opportunities: 400,
        // Enough converted leads for a learned model (100 conversions by default).
        leads: 1200,
        reps: 5,
        start: twoYearsBack(),
        months: 24,
      }),
    );
    await crm.destroy();
  };
  await Promise.all([
    build({ root: here, logLevel: 'error', build: { outDir: dist, emptyOutDir: true } }),
    seed(),
  ]);
  served = await startServe({ location: database, tenantId: 'demo', port: 0, dashboardDir: dist });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

  // A sales lead sets this quarter's quotas: one rep's far beyond their forecast, another's at
  // half of what they will win in 9 of 10 outcomes.
  const before = await api<{ groups: Figures[] }>(
    '/predict/forecast?period=thisQuarter&by=owner&runs=2000',
  );
  expect(before.status).toBe(200);
  const withDeals = before.body.groups
    .filter((g) => g.key !== null && g.openDeals > 0)
    .sort((a, b) => b.p10 - a.p10);
  expect(withDeals.length).toBeGreaterThanOrEqual(2);
  const reachable = withDeals[0]!;
  const stretched = withDeals.at(-1)!;
  const { start, end } = thisQuarter();
  for (const [group, amount] of [
    [stretched, Math.max(stretched.p90 * 10, 10_000_000)],
    [reachable, Math.max(100, Math.round(reachable.p10 / 2 / 100) * 100)],
  ] as const) {
    const created = await api('/quotas', {
      method: 'POST',
      body: JSON.stringify({
        ownerId: group.key,
        periodStart: start,
        periodEnd: end,
        amount: Math.round(amount),
      }),
    });
    expect(created.status).toBe(201);
  }
  plan = { stretched, reachable };
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('before scoring a lead shows "–" with why, never a number; `rapport score leads` scores them', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  await open(page, '?view=leads&lang=en&sort=-score&status=Open+-+Not+Contacted');
  const leads = page.locator('rapport-leads-list');
  await loaded(leads, 60_000);
  const cells = leads.locator('td[data-field="score"]');
  expect(await cells.count()).toBeGreaterThan(0);
  for (const text of await cells.allTextContents()) {
    expect(text).not.toMatch(/\d/);
    expect(text).toContain('not scored yet');
  }
  await page.screenshot({ path: join(screenshots, 'workspace-leads-unscored-en-1280x800.png') });
  await page.close();

  // As a user scores: the CLI on the database the server serves.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, 'score', 'leads', '--db', database, '--tenant', 'demo', '--json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const scored = JSON.parse(stdout) as { method: string; scores: unknown[] };
  expect(['logistic', 'naiveBayes']).toContain(scored.method);
  expect(scored.scores.length).toBeGreaterThan(25);
}, 180_000);

const screens = [
  { lang: 'en', width: 1280, height: 800, phone: false },
  { lang: 'de', width: 390, height: 844, phone: true },
  { lang: 'de', width: 1280, height: 800, phone: false },
  { lang: 'en', width: 390, height: 844, phone: true },
] as const;
type Screen = (typeof screens)[number];

function pageOn(screen: Screen): Promise<Page> {
  return browser.newPage({
    viewport: { width: screen.width, height: screen.height },
    locale: screen.lang === 'de' ? 'de-DE' : 'en-US',
    ...(screen.phone ? { hasTouch: true, isMobile: true } : {}),
  });
}

function shot(name: string, screen: Screen): string {
  return join(screenshots, `workspace-${name}-${screen.lang}-${screen.width}x${screen.height}.png`);
}

/** Controls smaller than 44 px either way, and whether the page scrolls sideways. */
async function phoneProblems(page: Page, element: Locator): Promise<string[]> {
  const small = await element.evaluate((host) =>
    [...(host.shadowRoot?.querySelectorAll('button, select, input, a[href]') ?? [])]
      .map((control) => ({ control, box: control.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.width < 44 || box.height < 44))
      .map(({ control, box }) => `${control.outerHTML.slice(0, 60)} ${box.width}x${box.height}`),
  );
  const sideways = await page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
  return [...small, ...(sideways ? ['the page scrolls sideways'] : [])];
}

/**
 * Cells whose text runs past their edge (a word too long for the card) or that may break inside
 * a word without a hyphen (word-break: break-all, overflow-wrap: anywhere).
 */
async function brokenWords(element: Locator, selector: string): Promise<string[]> {
  return element.evaluate(
    (host, cells) =>
      [...(host.shadowRoot?.querySelectorAll<HTMLElement>(cells) ?? [])]
        .filter((cell) => {
          const style = getComputedStyle(cell);
          const range = document.createRange();
          range.selectNodeContents(cell);
          const text = range.getBoundingClientRect();
          const box = cell.getBoundingClientRect();
          // A block inside the cell whose text is wider than the block (white-space: nowrap).
          const clipped = [cell, ...cell.querySelectorAll<HTMLElement>('*')].some(
            (e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1,
          );
          return (
            clipped ||
            text.right > box.right + 1 ||
            text.left < box.left - 1 ||
            style.wordBreak === 'break-all' ||
            style.overflowWrap === 'anywhere'
          );
        })
        .map((cell) => cell.textContent?.trim().slice(0, 40) ?? ''),
    selector,
  );
}

const percent = { en: /^≈?\s?\d{1,3}%$/, de: /^≈?\s?\d{1,3}\s%$/ } as const;
const oddsWords = { en: /(raises|lowers) the odds/, de: /(erhöht|senkt) die Chance/ } as const;

for (const screen of screens) {
  test(`lead scores (${screen.lang}, ${screen.width}x${screen.height}): highest first with the reasons that moved them, a closed lead "–" with why`, async () => {
    const page = await pageOn(screen);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await open(page, `?view=leads&lang=${screen.lang}&sort=-score`);
    const leads = page.locator('rapport-leads-list');
    await loaded(leads, 60_000);
    const rows = leads.locator('tr[data-lead]');
    expect(await rows.count()).toBe(25);
    const scores = (
      await leads
        .locator('td[data-field="score"]')
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-score') ?? ''))
    ).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // The first row is the API's best-scored lead; its reasons are the API's, in the language.
    const top = await api<{
      items: { leadId: string; probability: number; reasons: string[] }[];
    }>(`/predict/lead-scores?limit=1&lang=${screen.lang}`);
    const best = top.body.items[0]!;
    expect(scores[0]).toBe(best.probability);
    const first = rows.first();
    const scoreText = (await first.locator('td[data-field="score"] strong').textContent())!.trim();
    expect(scoreText).toMatch(percent[screen.lang]);
    expect(scoreText).toContain(String(Math.round(best.probability * 100)));
    const reasons = await first.locator('td[data-field="reasons"] li').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.length).toBeLessThanOrEqual(3);
    for (const reason of reasons) expect(reason).toMatch(oddsWords[screen.lang]);
    expect(reasons).toEqual(best.reasons.slice(0, reasons.length));
    expect(await leads.locator('th[aria-sort="descending"] [data-sort="score"]').count()).toBe(1);
    if (screen.phone) {
      expect(await leads.locator('thead').evaluate((e) => getComputedStyle(e).position)).toBe(
        'absolute',
      );
      expect((await first.boundingBox())!.width).toBeLessThanOrEqual(screen.width);
      expect(await phoneProblems(page, leads)).toEqual([]);
      expect(await brokenWords(leads, 'tbody td')).toEqual([]);
    }
    // On a phone the first cards (a full page of 25 cards would be too long to look at).
    if (screen.phone) await rows.nth(0).scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('leads-scores', screen) });

    // Sorting by the score header: lowest first, still unscored leads last.
    if (!screen.phone) {
      await leads.locator('[data-sort="score"]').click();
      await expect
        .poll(() => leads.locator('th[aria-sort="ascending"] [data-sort="score"]').count())
        .toBe(1);
      await loaded(leads, 60_000);
      expect(new URL(page.url()).searchParams.get('sort')).toBe('score');
      const ascending = (
        await leads
          .locator('td[data-field="score"]')
          .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-score') ?? ''))
      )
        .filter((s) => s !== '')
        .map(Number);
      expect(ascending.length).toBeGreaterThan(0);
      expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
      expect(ascending[0]).toBeLessThan(scores.at(-1)!);
    }

    // Closed leads were not scored: "–" and why, no number.
    await open(page, `?view=leads&lang=${screen.lang}&status=Closed+-+Not+Converted`);
    await loaded(leads, 60_000);
    const closed = await leads.locator('td[data-field="score"]').allTextContents();
    expect(closed.length).toBeGreaterThan(0);
    for (const text of closed) {
      expect(text).not.toMatch(/\d/);
      expect(text).toContain(
        screen.lang === 'de'
          ? 'abgeschlossene Leads werden nicht bewertet'
          : 'closed leads are not scored',
      );
    }
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  test(`forecast and plan (${screen.lang}, ${screen.width}x${screen.height}): P50 with its P10–P90 range against quota, the chance of reaching it, the quota at risk marked`, async () => {
    const page = await pageOn(screen);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await open(page, `?view=forecast&lang=${screen.lang}&period=thisQuarter`);
    const view = page.locator('rapport-forecast-view');
    await loaded(view, 60_000);
    const forecast = await api<{ total: Figures; groups: Figures[] }>(
      `/predict/forecast?period=thisQuarter&by=owner&lang=${screen.lang}`,
    );
    const risks = await api<{ quotas: Figures[] }>(
      `/predict/plans-at-risk?period=thisQuarter&lang=${screen.lang}`,
    );
    expect(risks.body.quotas.map((q) => q.key)).toContain(plan.stretched.key);
    expect(risks.body.quotas.map((q) => q.key)).not.toContain(plan.reachable.key);

    const head = (await view.locator('thead').textContent())!;
    expect(head).toContain('P10–P90');
    if (screen.lang === 'de') {
      for (const term of ['Vertriebsmitarbeiter', 'Vertriebsziel', 'Zielerreichung'])
        expect(head).toContain(term);
      expect(head).not.toMatch(/Quote\b/);
    }
    // The total's figures are the API's (same runs and seed).
    const total = view.locator('tr[data-row="@total"] td[data-predict="p50"]');
    expect(Number(await total.getAttribute('data-value'))).toBe(forecast.body.total.p50);
    expect(Number(await total.getAttribute('data-p10'))).toBe(forecast.body.total.p10);
    expect(Number(await total.getAttribute('data-p90'))).toBe(forecast.body.total.p90);
    expect(forecast.body.total.p10).toBeLessThan(forecast.body.total.p90);
    expect(await total.locator('[data-range]').textContent()).toMatch(
      screen.lang === 'de' ? /^Spanne .+ – .+€$/ : /^range .+ – .+$/,
    );

    // The stretched quota: marked at risk, its chance below one half; the reachable one on track.
    const stretched = view.locator(`tr[data-row="${plan.stretched.key}"]`);
    await expect.poll(() => stretched.getAttribute('data-at-risk')).not.toBeNull();
    const mark = stretched.locator('[data-at-risk]');
    expect(await mark.textContent()).toContain(
      screen.lang === 'de' ? 'Vertriebsziel gefährdet' : 'Quota at risk',
    );
    const chance = Number(
      await stretched.locator('td[data-predict="quotaProbability"]').getAttribute('data-value'),
    );
    expect(chance).toBeLessThan(0.5);
    expect(
      Number(await stretched.locator('td[data-predict="quota"]').getAttribute('data-value')),
    ).toBeGreaterThan(
      Number(await stretched.locator('td[data-predict="p50"]').getAttribute('data-p90')),
    );
    const reachable = view.locator(`tr[data-row="${plan.reachable.key}"]`);
    expect(await reachable.getAttribute('data-at-risk')).toBeNull();
    expect(await reachable.locator('td[data-predict="quotaProbability"]').textContent()).toContain(
      screen.lang === 'de' ? 'im Plan' : 'on track',
    );
    // A manager's roll-up: its own forecast of the team (ranges do not add up), not "–"; its
    // won so far the sum of the team's rows, the forecast's the sum of the reps' groups.
    const users = (
      await api<{ items: { id: string; managerId: string | null }[] }>('/users?limit=1000')
    ).body.items;
    const below = (id: string): string[] =>
      users.filter((u) => u.managerId === id).flatMap((u) => [u.id, ...below(u.id)]);
    const manager = users.find((u) => below(u.id).length > 0)!;
    const team = [manager.id, ...below(manager.id)];
    const rollup = view.locator(`tr[data-row="@team:${manager.id}"]`);
    const rollupForecast = await api<{ total: Figures }>(
      `/predict/forecast?period=thisQuarter&lang=${screen.lang}&owners=${team.join(',')}`,
    );
    const teamForecast = rollupForecast.body.total;
    const rollupP50 = rollup.locator('td[data-predict="p50"]');
    expect(Number(await rollupP50.getAttribute('data-value'))).toBe(teamForecast.p50);
    expect(Number(await rollupP50.getAttribute('data-p10'))).toBe(teamForecast.p10);
    expect(Number(await rollupP50.getAttribute('data-p90'))).toBe(teamForecast.p90);
    expect(teamForecast.p10).toBeLessThan(teamForecast.p90);
    expect(await rollupP50.locator('strong').count()).toBe(1);
    expect(await rollupP50.locator('[data-range]').textContent()).toMatch(
      screen.lang === 'de' ? /^Spanne .+ – .+€$/ : /^range .+ – .+$/,
    );
    const teamGroups = forecast.body.groups.filter((g) => team.includes(g.key ?? ''));
    expect(teamForecast.wonSoFar).toBe(teamGroups.reduce((sum, g) => sum + g.wonSoFar, 0));
    expect(
      Number(await rollup.locator('td[data-predict="quota"]').getAttribute('data-value')),
    ).toBe(teamGroups.reduce((sum, g) => sum + (g.quota ?? 0), 0));
    expect(
      await rollup.locator('td[data-predict="quotaProbability"]').getAttribute('data-value'),
    ).toBe(String(teamForecast.quotaProbability));
    const wonOf = (row: Locator) =>
      row.locator('td[data-kpi="closing.wonRevenue"]').getAttribute('data-value');
    let repsWon = 0;
    for (const id of team) {
      const row = view.locator(`tr[data-row="${id}"]`);
      if ((await row.count()) > 0) repsWon += Number(await wonOf(row));
    }
    expect(Number(await wonOf(rollup))).toBe(repsWon);
    await rollup.screenshot({ path: shot('forecast-rollup-row', screen) });

    // The weighted pipeline and coverage are still there, as secondary figures.
    expect(
      await view.locator('tr[data-row="@total"] td[data-kpi="pipeline.weightedValue"]').count(),
    ).toBe(1);
    expect(
      await view.locator('tr[data-row="@total"] td[data-kpi="pipeline.coverage"]').count(),
    ).toBe(1);
    if (screen.phone) {
      expect(await phoneProblems(page, view)).toEqual([]);
      expect(await brokenWords(view, 'tbody td, tbody th')).toEqual([]);
    }
    // A close-up of the row with the quota at risk, legible in the report.
    await stretched.screenshot({ path: shot('forecast-at-risk-row', screen) });
    await page.screenshot({ path: shot('forecast-range', screen), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  test(`the at-risk list and the deal drawer (${screen.lang}, ${screen.width}x${screen.height}): the learned win probability beside the stage default, with its reasons and plan risks`, async () => {
    const deals = await api<{
      items: {
        id: string;
        winProbability: number;
        method: string;
        reasons: string[];
        risks: { kind: string; text: string }[];
      }[];
    }>(`/predict/deals?lang=${screen.lang}`);
    // Amounts in the plan risks are written as the language writes money.
    const oversized = deals.body.items
      .flatMap((d) => d.risks)
      .filter((r) => r.kind === 'amountAboveOwner');
    expect(oversized.length).toBeGreaterThan(0);
    for (const risk of oversized)
      expect(risk.text).toMatch(
        screen.lang === 'de' ? /^Betrag [\d.]+\s€ ist / : /^amount €[\d,]+ is /,
      );
    const learned =
      deals.body.items.find(
        (d) => d.method !== 'stageDefault' && d.reasons.length > 0 && d.risks.length > 0,
      ) ?? deals.body.items.find((d) => d.method !== 'stageDefault' && d.reasons.length > 0);
    expect(learned).toBeDefined();
    const page = await pageOn(screen);

    // The at-risk list: each flagged deal with its learned win probability and plan risks.
    await open(page, `?view=risk&lang=${screen.lang}`);
    const risky = page.locator('rapport-at-risk-list');
    await loaded(risky, 60_000);
    const byId = new Map(deals.body.items.map((d) => [d.id, d]));
    const riskRows = risky.locator('tr[data-deal]');
    expect(await riskRows.count()).toBeGreaterThan(0);
    for (const row of (await riskRows.all()).slice(0, 5)) {
      const predicted = byId.get((await row.getAttribute('data-deal'))!)!;
      const cell = row.locator('td[data-field="win-probability"]');
      expect(Number(await cell.getAttribute('data-value'))).toBe(predicted.winProbability);
      expect(await row.locator('.plan-risk').allTextContents()).toEqual(
        predicted.risks.map((r) => r.text),
      );
    }
    if (screen.phone) expect(await phoneProblems(page, risky)).toEqual([]);
    await page.screenshot({ path: shot('at-risk-win-probability', screen) });

    await open(page, `?view=board&lang=${screen.lang}&deal=${learned!.id}`);
    const drawer = page.locator('rapport-deal-drawer');
    await loaded(drawer, 60_000);
    const win = drawer.locator('[data-field="win-probability"]');
    await expect.poll(() => win.count(), { timeout: 30_000 }).toBe(1);
    expect((await win.textContent())!.trim()).toMatch(percent[screen.lang]);
    expect(await win.textContent()).toContain(String(Math.round(learned!.winProbability * 100)));
    expect(await drawer.locator('[data-field="stage-default"]').textContent()).toContain(
      screen.lang === 'de' ? 'Standard der Phase' : 'stage default',
    );
    const reasons = await drawer
      .locator('[data-field="win-reasons"] li:not(.risk)')
      .allTextContents();
    expect(reasons).toEqual(learned!.reasons.slice(0, 3));
    expect(await drawer.locator('[data-field="win-reasons"] li.risk').allTextContents()).toEqual(
      learned!.risks.map((r) => r.text),
    );
    await page.screenshot({ path: shot('drawer-win-probability', screen) });
    await page.close();
  }, 120_000);
}

test('too little history for a model (en and de): the source rate shows as approximate with its interval, never as a confident score', async () => {
  // As a team with few conversions: the CLI falls back to the lead source's conversion rate.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      cli,
      'score',
      'leads',
      '--db',
      database,
      '--tenant',
      'demo',
      '--min-conversions',
      '1000000',
      '--json',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  expect((JSON.parse(stdout) as { method: string }).method).toBe('sourceRate');
  const top = await api<{
    items: { leadId: string; probability: number; lower: number; upper: number }[];
  }>('/predict/lead-scores?limit=1');
  const best = top.body.items[0]!;
  expect(best.lower).toBeLessThan(best.upper);
  for (const screen of [screens[0], screens[1]]) {
    const page = await pageOn(screen);
    await open(page, `?view=leads&lang=${screen.lang}&sort=-score`);
    const leads = page.locator('rapport-leads-list');
    await loaded(leads, 60_000);
    const first = leads.locator('tr[data-lead]').first();
    expect(await first.getAttribute('data-lead')).toBe(best.leadId);
    const cell = first.locator('td[data-field="score"]');
    expect(await cell.getAttribute('data-method')).toBe('sourceRate');
    expect((await cell.locator('strong').textContent())!.trim()).toMatch(/^≈ /);
    const low = Math.round(best.lower * 100);
    const high = Math.round(best.upper * 100);
    expect(await cell.locator('.reason').textContent()).toMatch(
      screen.lang === 'de'
        ? new RegExp(`^Quote der Quelle, ${low}\\s%–${high}\\s%$`)
        : new RegExp(`^source rate, ${low}%–${high}%$`),
    );
    expect(await first.locator('td[data-field="reasons"]').textContent()).toContain(
      screen.lang === 'de' ? 'Lead-zu-Kunden-Quote' : 'conversion rate of the lead source',
    );
    if (screen.phone) await first.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('leads-source-rate', screen) });
    await page.close();
  }
}, 180_000);
