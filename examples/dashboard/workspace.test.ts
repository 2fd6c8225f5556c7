import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrm } from '@rapport/core';
import { unscopedDatabase } from '@rapport/core/storage';
import { sqliteStorage } from '@rapport/sqlite';
import { generateCrmData, insertGeneratedData } from '@rapport/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServe } from '../../packages/cli/src/commands/serve.js';
import { loadKpiPlugins } from '../../packages/cli/src/database/kpi-plugins.js';
import { retryingAfter429 } from '../../packages/workspace/src/api/retry-after.js';
import { axeViolations, loaded } from './test-workspace-page.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'rapport-workspace-'));
const dist = join(workDir, 'app');
const database = join(workDir, 'crm.sqlite');

let served: Awaited<ReturnType<typeof startServe>>;
let browser: Browser;

interface Deal {
  id: string;
  stage: string;
  version: number;
  status: string;
  amount: number | null;
  lostReason: string | null;
  pipelineId: string;
}

/**
 * The test's calls share the page's key, so a KPI evaluation may meet the key's bound (429)
 * while the page's own are running; like the app, they wait out Retry-After.
 */
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

async function weightedPipeline(): Promise<number> {
  const { body } = await api<{ results: Record<string, { value: number | null }> }>(
    '/kpis/evaluate?ids=pipeline.weightedValue&period=thisMonth&compare=false',
  );
  return body.results['pipeline.weightedValue']!.value!;
}

async function deal(id: string): Promise<Deal> {
  return (await api<Deal>(`/opportunities/${id}`)).body;
}

/** A page with the API key in storage, at a view of the app. */
async function open(page: Page, query: string): Promise<void> {
  await page.goto(`${served.server.dashboardUrl}`);
  await page.waitForFunction(() => document.body.dataset.state !== undefined);
  await page.goto(`${served.server.url}/${query}`);
}

/** The first day of the month two years before this one. */
function twoYearsBack(): string {
  const now = new Date();
  return `${now.getUTCFullYear() - 2}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

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
        seed: 11,
        opportunities: 300,
        leads: 120,
        reps: 5,
        // Two years that end with last month, so no record is dated in the future.
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('on a laptop: a deal moves on the board through the API, the KPI follows, a conflict shows the newer version', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await open(page, '?view=board&lang=en');
  const board = page.locator('rapport-pipeline-board');
  await loaded(board, 20_000);
  const columns = board.locator('section.column');
  expect(await columns.count()).toBeGreaterThanOrEqual(3);
  const firstStage = (await columns.nth(0).getAttribute('data-stage'))!;
  // The third stage: its probability differs from the first's (the first two share 10 %).
  const secondStage = (await columns.nth(2).getAttribute('data-stage'))!;
  const card = columns.nth(0).locator('article.card').first();
  const id = (await card.getAttribute('data-deal'))!;
  const before = await deal(id);
  const weightedBefore = await weightedPipeline();
  await page.screenshot({ path: join(screenshots, 'workspace-board-1280x800.png') });

  // Drag the card to the next stage.
  await card.dragTo(columns.nth(2), { targetPosition: { x: 40, y: 20 } });
  await expect.poll(async () => (await deal(id)).stage, { timeout: 15_000 }).toBe(secondStage);
  const moved = await deal(id);
  expect(moved.version).toBe(before.version + 1);
  await expect.poll(() => columns.nth(2).locator(`[data-deal="${id}"]`).count()).toBe(1);
  const weightedAfter = await weightedPipeline();
  expect(weightedAfter).not.toBe(weightedBefore);

  // The KPI view shows the new weighted pipeline.
  await page.click('[data-view="kpis"]');
  await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, {
    timeout: 30_000,
  });
  await expect
    .poll(() => page.locator('[data-kpi="pipeline.weightedValue"]').getAttribute('data-value'))
    .toBe(String(weightedAfter));

  // Someone else moves it back meanwhile; our move (with the old version) shows theirs.
  await page.click('[data-view="board"]');
  await loaded(board, 20_000);
  const stale = board.locator(`[data-deal="${id}"]`);
  const other = await api<Deal>(`/opportunities/${id}/stage`, {
    method: 'POST',
    headers: { 'If-Match': `"${moved.version}"` },
    body: JSON.stringify({ stage: firstStage }),
  });
  expect(other.status).toBe(200);
  await stale
    .locator('select[data-move]')
    .selectOption((await columns.nth(1).getAttribute('data-stage'))!);
  const conflict = board.locator(`[data-deal="${id}"] .conflict`);
  await expect.poll(() => conflict.count(), { timeout: 15_000 }).toBe(1);
  expect(await conflict.textContent()).toContain(`Stage: ${firstStage}`);
  expect((await deal(id)).stage).toBe(firstStage);
  expect((await deal(id)).version).toBe(other.body.version);
  await page.screenshot({ path: join(screenshots, 'workspace-board-conflict-1280x800.png') });

  // Closing asks won or lost; lost takes a reason.
  const closing = columns.nth(0).locator('article.card').nth(1);
  const closingId = (await closing.getAttribute('data-deal'))!;
  await closing.locator('select[data-move]').selectOption('@close');
  const dialog = board.locator('dialog[open]');
  await dialog.locator('input[value="lost"]').check();
  await dialog.locator('input[name="lostReason"]').fill('Price');
  await page.screenshot({ path: join(screenshots, 'workspace-close-dialog-1280x800.png') });
  await dialog.locator('button[type="submit"]').click();
  await expect.poll(async () => (await deal(closingId)).status, { timeout: 15_000 }).toBe('lost');
  expect((await deal(closingId)).lostReason).toBe('Price');
  expect(await axeViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  await page.close();
}, 120_000);

test('on a laptop: the drawer refuses a bad edit with the field error, saves a good one and logs a call', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const { body } = await api<{ items: Deal[] }>('/opportunities?status=open&limit=1&sort=-amount');
  const id = body.items[0]!.id;
  await open(page, `?view=board&lang=en&deal=${id}`);
  const drawer = page.locator('rapport-deal-drawer');
  await loaded(drawer, 20_000);
  const amount = drawer.locator('input[name="amount"]');
  await amount.fill('-5');
  await drawer.locator('form[data-form="deal"] button[type="submit"]').click();
  const error = drawer.locator('[data-error-for="amount"]');
  await expect.poll(() => error.count(), { timeout: 15_000 }).toBe(1);
  expect(await error.textContent()).toMatch(/>=0/);
  expect(await amount.getAttribute('aria-invalid')).toBe('true');
  expect((await deal(id)).amount).toBe(body.items[0]!.amount);
  await page.screenshot({ path: join(screenshots, 'workspace-drawer-error-1280x800.png') });

  await amount.fill('1234.5');
  await drawer.locator('form[data-form="deal"] button[type="submit"]').click();
  await expect.poll(async () => (await deal(id)).amount, { timeout: 15_000 }).toBe(123450);

  await drawer.locator('select[name="type"]').selectOption('call');
  await drawer.locator('input[name="subject"]').fill('Called about the rollout');
  await drawer.locator('form[data-form="activity"] button[type="submit"]').click();
  await expect
    .poll(
      async () => {
        const activities = await api<{ items: { subject: string; type: string }[] }>(
          `/activities?opportunityId=${id}`,
        );
        return activities.body.items.map((a) => `${a.type}:${a.subject}`);
      },
      { timeout: 15_000 },
    )
    .toContain('call:Called about the rollout');
  // The drawer lists it once its own reload after the save is drawn: polled, not read once.
  await expect
    .poll(() => drawer.locator('[data-list="activities"]').textContent(), { timeout: 15_000 })
    .toContain('Called about the rollout');
  await page.screenshot({ path: join(screenshots, 'workspace-drawer-1280x800.png') });
  expect(await axeViolations(page)).toEqual([]);
  // Escape closes the drawer and the deal leaves the URL.
  await page.keyboard.press('Escape');
  await expect.poll(() => new URL(page.url()).searchParams.get('deal')).toBe(null);
  await page.close();
}, 120_000);

test('on a phone in German: leads as cards, a lead converted, the URL restores the view', async () => {
  const page = await browser.newPage({
    viewport: { width: 390, height: 844 },
    locale: 'de-DE',
    hasTouch: true,
    isMobile: true,
  });
  await open(page, '?view=leads&lang=de&status=Working+-+Contacted&sort=company');
  const leads = page.locator('rapport-leads-list');
  await loaded(leads, 20_000);
  expect(await page.locator('html').getAttribute('lang')).toBe('de');
  expect(await leads.locator('select[name="status"]').inputValue()).toBe('Working - Contacted');
  expect(await leads.locator('th[aria-sort="ascending"] [data-sort="company"]').count()).toBe(1);
  // A table row is a card on a phone: the header row is out of sight, cells stack.
  const row = leads.locator('tr[data-lead]').first();
  const box = (await row.boundingBox())!;
  expect(box.width).toBeLessThanOrEqual(390);
  expect(await leads.locator('thead').evaluate((e) => getComputedStyle(e).position)).toBe(
    'absolute',
  );
  await page.screenshot({ path: join(screenshots, 'workspace-leads-390x844.png'), fullPage: true });

  const leadId = (await row.getAttribute('data-lead'))!;
  await row.locator('[data-convert]').tap();
  await expect
    .poll(async () => (await api<{ status: string }>(`/leads/${leadId}`)).body.status, {
      timeout: 15_000,
    })
    .toBe('Closed - Converted');
  await expect.poll(() => leads.locator(`tr[data-lead="${leadId}"] .converted`).count()).toBe(1);

  // Reload: view, language and filters come back from the URL.
  await page.reload();
  await loaded(leads, 20_000);
  expect(await page.locator('[data-view="leads"][aria-current="page"]').textContent()).toBe(
    'Leads',
  );
  expect(await leads.locator('select[name="status"]').inputValue()).toBe('Working - Contacted');

  // The board on a phone: one column under the other, a tap menu, German words kept whole.
  await page.locator('[data-view="board"]').tap();
  const board = page.locator('rapport-pipeline-board');
  await loaded(board, 20_000);
  expect(
    await board.locator('select[data-move]').first().locator('option').first().textContent(),
  ).toBe('Verschieben nach …');
  const targets = await page.evaluate(() => {
    const small: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const element of root.querySelectorAll<HTMLElement>(
        'button, select, input, a, [role="button"]',
      )) {
        const rect = element.getBoundingClientRect();
        if (rect.width === 0 || rect.top > innerHeight) continue;
        if (rect.height < 44 || rect.width < 44)
          small.push(
            `${element.tagName} ${Math.round(rect.width)}x${Math.round(rect.height)} ${element.textContent?.trim().slice(0, 20)}`,
          );
      }
      for (const host of root.querySelectorAll('*')) if (host.shadowRoot) visit(host.shadowRoot);
    };
    visit(document);
    return small;
  });
  expect(targets).toEqual([]);
  expect(await board.evaluate((e) => getComputedStyle(e).hyphens)).toBe('auto');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  expect(overflow).toBe(0);
  await page.screenshot({ path: join(screenshots, 'workspace-board-390x844.png') });

  await page.locator('[data-view="forecast"]').tap();
  const forecast = page.locator('rapport-forecast-view');
  await loaded(forecast, 20_000);
  expect(await forecast.locator('thead').textContent()).toContain('Zielerreichung');
  expect(await forecast.locator('thead').textContent()).toContain('Vertriebsmitarbeiter');
  await page.screenshot({
    path: join(screenshots, 'workspace-forecast-390x844.png'),
    fullPage: true,
  });

  await page.locator('[data-view="risk"]').tap();
  const risk = page.locator('rapport-at-risk-list');
  await loaded(risk, 20_000);
  await page.screenshot({
    path: join(screenshots, 'workspace-at-risk-390x844.png'),
    fullPage: true,
  });
  expect(await axeViolations(page)).toEqual([]);
  await page.close();
}, 120_000);

test('offline, the last loaded dashboard shows, marked stale', async () => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'de-DE',
  });
  const page = await context.newPage();
  await open(page, '?lang=de');
  // The first visit installs the worker; from the next load on it answers the page's requests.
  expect(await page.evaluate(() => navigator.serviceWorker.ready.then(() => true))).toBe(true);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: 20_000,
  });
  await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, {
    timeout: 30_000,
  });
  const online = await page.locator('[data-kpi]').count();
  expect(online).toBeGreaterThan(0);
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, {
    timeout: 30_000,
  });
  await expect.poll(() => page.locator('#stale').count(), { timeout: 10_000 }).toBe(1);
  expect(await page.locator('#stale').textContent()).toContain('Offline');
  expect(await page.locator('[data-kpi]').count()).toBe(online);
  await page.screenshot({ path: join(screenshots, 'workspace-offline-390x844.png') });
  await context.close();
}, 120_000);

/** A language and a screen: every new action runs on a laptop in English and a phone in German. */
const screens = [
  { lang: 'en', width: 1280, height: 800, phone: false },
  { lang: 'de', width: 390, height: 844, phone: true },
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

/** The data-deal of the element that has the focus, through shadow roots. */
function focusedDeal(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.getAttribute('data-deal') ?? null;
  });
}

interface LineItem {
  id: string;
  productId: string;
  quantity: number;
  totalPrice: number;
}

async function lineItems(opportunityId: string): Promise<LineItem[]> {
  return (await api<{ items: LineItem[] }>(`/line-items?opportunityId=${opportunityId}`)).body
    .items;
}

interface TestUser {
  id: string;
  name: string;
  managerId: string | null;
  role: string;
  version: number;
}

let twoLevels: Promise<{ top: TestUser; middle: TestUser; users: TestUser[] }> | undefined;

/**
 * The sample's managers lead reps directly; for a second level, one of a manager's reps now
 * reports to another (through the API, once for both screens).
 */
async function makeTwoLevels(): Promise<{ top: TestUser; middle: TestUser; users: TestUser[] }> {
  const list = async () =>
    (await api<{ items: TestUser[] }>('/users?limit=1000&sort=name')).body.items;
  const users = await list();
  const top = users.find((u) => users.filter((r) => r.managerId === u.id).length >= 2);
  expect(top).toBeDefined();
  const [middle, moved] = users.filter((u) => u.managerId === top!.id);
  const patched = await api(`/users/${moved!.id}`, {
    method: 'PATCH',
    headers: { 'If-Match': `"${moved!.version}"` },
    body: JSON.stringify({ managerId: middle!.id, role: moved!.role }),
  });
  expect(patched.status).toBe(200);
  return { top: top!, middle: middle!, users: await list() };
}

for (const screen of screens) {
  test(`line items in the drawer (${screen.lang}, ${screen.width}x${screen.height}): a bad quantity refused beside the field, an item added, changed and removed, the amount follows`, async () => {
    const page = await pageOn(screen);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const { body } = await api<{ items: (Deal & { currency: string })[] }>(
      `/opportunities?status=open&currency=EUR&limit=1&sort=${screen.lang === 'en' ? 'amount' : 'closeDate'}`,
    );
    const id = body.items[0]!.id;
    const itemsBefore = await lineItems(id);
    await open(page, `?view=board&lang=${screen.lang}&deal=${id}`);
    const drawer = page.locator('rapport-deal-drawer');
    await loaded(drawer, 20_000);
    const editor = drawer.locator('rapport-line-items');
    await loaded(editor, 20_000);
    const add = editor.locator('form[data-line-item="@new"]');
    const product = (await add
      .locator('select[name="productId"] option')
      .nth(1)
      .getAttribute('value'))!;
    await add.locator('select[name="productId"]').selectOption(product);
    await add.locator('input[name="quantity"]').fill('-2');
    await add.locator('button[data-action="add"]').click();
    const quantityError = add.locator('[data-error-for="quantity"]');
    await expect.poll(() => quantityError.count(), { timeout: 15_000 }).toBe(1);
    expect(await quantityError.textContent()).toMatch(
      screen.lang === 'de' ? /Der Wert ist zu klein/ : />0/,
    );
    expect(await add.locator('input[name="quantity"]').getAttribute('aria-invalid')).toBe('true');
    expect(await lineItems(id)).toEqual(itemsBefore);
    await add.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('line-item-error', screen) });

    // A good one: the API computes the total; the deal's amount is the sum of its items.
    await add.locator('input[name="quantity"]').fill('2');
    await add.locator('input[name="discount"]').fill('10');
    await add.locator('button[data-action="add"]').click();
    await expect
      .poll(async () => (await lineItems(id)).length, { timeout: 15_000 })
      .toBe(itemsBefore.length + 1);
    const added = (await lineItems(id)).find((i) => !itemsBefore.some((b) => b.id === i.id))!;
    expect(added.quantity).toBe(2);
    const sum = async () => (await lineItems(id)).reduce((total, i) => total + i.totalPrice, 0);
    await expect.poll(async () => (await deal(id)).amount, { timeout: 15_000 }).toBe(await sum());
    const row = editor.locator(`form[data-line-item="${added.id}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const shownAmount = drawer.locator('p.muted [data-field="amount"]');
    const amountBefore = await shownAmount.textContent();

    // Change the quantity: the total and the amount follow.
    await row.locator('input[name="quantity"]').fill('5');
    await row.locator('button[data-action="save"]').click();
    await expect
      .poll(async () => (await lineItems(id)).find((i) => i.id === added.id)?.quantity, {
        timeout: 15_000,
      })
      .toBe(5);
    const changed = (await lineItems(id)).find((i) => i.id === added.id)!;
    expect(changed.totalPrice).toBeGreaterThan(added.totalPrice);
    await expect.poll(async () => (await deal(id)).amount, { timeout: 15_000 }).toBe(await sum());
    await expect.poll(() => shownAmount.textContent(), { timeout: 15_000 }).not.toBe(amountBefore);
    // The row redraws from its own reload of the items, after or before the drawer's amount.
    await expect
      .poll(() => row.locator('[data-field="totalPrice"]').textContent(), { timeout: 15_000 })
      .toContain(
        new Intl.NumberFormat(screen.lang === 'de' ? 'de-DE' : 'en-US', {
          style: 'currency',
          currency: 'EUR',
          maximumFractionDigits: changed.totalPrice / 100 >= 1000 ? 0 : 2,
        }).format(changed.totalPrice / 100),
      );
    // A discount over 100 % is refused beside the discount.
    await row.locator('input[name="discount"]').fill('150');
    await row.locator('button[data-action="save"]').click();
    await expect
      .poll(() => row.locator('[data-error-for="discount"]').count(), { timeout: 15_000 })
      .toBe(1);
    expect((await lineItems(id)).find((i) => i.id === added.id)?.totalPrice).toBe(
      changed.totalPrice,
    );
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('line-items', screen) });

    // Remove it: gone from the API and the drawer.
    await row.locator('button[data-action="remove"]').click();
    await expect
      .poll(async () => (await lineItems(id)).length, { timeout: 15_000 })
      .toBe(itemsBefore.length);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  test(`the board by keyboard (${screen.lang}, ${screen.width}x${screen.height}): arrows move a focused card, announced; right past the last stage closes it lost with a reason; Enter opens the drawer, Escape gives the focus back`, async () => {
    const page = await pageOn(screen);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await open(page, `?view=board&lang=${screen.lang}`);
    const board = page.locator('rapport-pipeline-board');
    await loaded(board, 20_000);
    const columns = board.locator('section.column');
    const count = await columns.count();
    const first = (await columns.nth(0).getAttribute('data-stage'))!;
    const second = (await columns.nth(1).getAttribute('data-stage'))!;
    const card = columns.nth(0).locator('article.card').first();
    const id = (await card.getAttribute('data-deal'))!;
    const before = await deal(id);
    const live = board.locator('[data-live]');

    await card.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await deal(id)).stage, { timeout: 15_000 }).toBe(second);
    expect((await deal(id)).version).toBe(before.version + 1);
    await expect.poll(() => live.textContent(), { timeout: 15_000 }).toContain(second);
    expect(await live.textContent()).toContain(
      screen.lang === 'de'
        ? `in Phase ${second} verschoben (2 von ${count})`
        : `moved to stage ${second} (2 of ${count})`,
    );
    expect(await live.getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => focusedDeal(page), { timeout: 15_000 }).toBe(id);
    expect(await columns.nth(1).locator(`[data-deal="${id}"]`).count()).toBe(1);
    await page.screenshot({ path: shot('board-keyboard', screen) });
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await deal(id)).stage, { timeout: 15_000 }).toBe(first);
    await expect.poll(() => focusedDeal(page), { timeout: 15_000 }).toBe(id);

    // Enter opens the drawer; Escape closes it and the focus is back on the card.
    await page.keyboard.press('Enter');
    const drawer = page.locator('rapport-deal-drawer');
    await expect.poll(() => new URL(page.url()).searchParams.get('deal')).toBe(id);
    await loaded(drawer, 20_000);
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => {
        const host = document.querySelector('rapport-deal-drawer');
        return (
          host?.shadowRoot?.activeElement !== null && host?.shadowRoot?.activeElement !== undefined
        );
      }),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => new URL(page.url()).searchParams.get('deal')).toBe(null);
    await expect.poll(() => focusedDeal(page), { timeout: 15_000 }).toBe(id);

    // Right from the rightmost card to the last open stage, then once more: won or lost?
    let from = count - 1;
    while (from > 0 && (await columns.nth(from).locator('article.card').count()) === 0) from--;
    const last = columns.nth(from).locator('article.card').first();
    const lastId = (await last.getAttribute('data-deal'))!;
    await last.focus();
    for (let stage = from + 1; stage < count; stage++) {
      const target = (await columns.nth(stage).getAttribute('data-stage'))!;
      await page.keyboard.press('ArrowRight');
      await expect.poll(async () => (await deal(lastId)).stage, { timeout: 15_000 }).toBe(target);
      await expect.poll(() => focusedDeal(page), { timeout: 15_000 }).toBe(lastId);
    }
    await page.keyboard.press('ArrowRight');
    const dialog = board.locator('dialog[open]');
    await expect.poll(() => dialog.count(), { timeout: 15_000 }).toBe(1);
    // The first radio (won) has the focus; the arrow key picks lost.
    await page.keyboard.press('ArrowDown');
    expect(await dialog.locator('input[value="lost"]').isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Budget frozen');
    await page.screenshot({ path: shot('board-keyboard-close', screen) });
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await deal(lastId)).status, { timeout: 15_000 }).toBe('lost');
    expect((await deal(lastId)).lostReason).toBe('Budget frozen');
    await expect
      .poll(() => live.textContent(), { timeout: 15_000 })
      .toContain(
        screen.lang === 'de'
          ? 'abgeschlossen: Verloren (Budget frozen)'
          : 'closed: Lost (Budget frozen)',
      );
    expect(await board.locator(`[data-deal="${lastId}"]`).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  test(`a manager's team (${screen.lang}, ${screen.width}x${screen.height}): the owner list as a tree, roll-ups per manager in the forecast, the board and leads of the manager's reports`, async () => {
    twoLevels ??= makeTwoLevels();
    const { top, middle, users } = await twoLevels;
    const below = (id: string): string[] =>
      users.filter((u) => u.managerId === id).flatMap((u) => [u.id, ...below(u.id)]);
    const team = [top.id, ...below(top.id)];
    const middleTeam = [middle.id, ...below(middle.id)];

    const page = await pageOn(screen);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await open(page, `?view=forecast&lang=${screen.lang}&period=thisYear&owner=${top.id}`);
    const forecast = page.locator('rapport-forecast-view');
    await loaded(forecast, 20_000);
    // The owner list: the tree, indented, a manager with the number of their reports.
    const options = await page.locator('select#owner option').allTextContents();
    const topOption = options.find((o) => o.startsWith(top.name))!;
    expect(topOption).toContain(
      screen.lang === 'de'
        ? `mit ${team.length - 1} Mitarbeitern`
        : `with ${team.length - 1} reports`,
    );
    const middleOption = options.find((o) => o.trim().startsWith(middle.name))!;
    expect(middleOption.startsWith('\u00a0\u00a0\u00a0\u00a0')).toBe(true);
    expect(options.indexOf(middleOption)).toBeGreaterThan(options.indexOf(topOption));

    // The forecast: a roll-up row per manager, indented by level, its figures the API's for the team.
    const topRow = forecast.locator(`tr[data-row="@team:${top.id}"]`);
    const middleRow = forecast.locator(`tr[data-row="@team:${middle.id}"]`);
    expect(await topRow.getAttribute('data-depth')).toBe('0');
    expect(await middleRow.getAttribute('data-depth')).toBe('1');
    const evaluated = async (owners: string[]) =>
      (
        await api<{ results: Record<string, { value: number | null }> }>(
          `/kpis/evaluate?ids=pipeline.openValue&period=thisYear&compare=false&filter[owner]=${owners.join(',')}`,
        )
      ).body.results['pipeline.openValue']!.value;
    expect(await topRow.locator('[data-kpi="pipeline.openValue"]').getAttribute('data-value')).toBe(
      String(await evaluated(team)),
    );
    expect(
      await middleRow.locator('[data-kpi="pipeline.openValue"]').getAttribute('data-value'),
    ).toBe(String(await evaluated(middleTeam)));
    const rowKeys = await forecast
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row')));
    for (const key of rowKeys)
      if (key !== '@total') expect(team).toContain(key!.replace('@team:', ''));
    expect(
      await forecast
        .locator('tr[data-row="@total"] [data-kpi="pipeline.openValue"]')
        .getAttribute('data-value'),
    ).toBe(String(await evaluated(team)));
    await page.screenshot({ path: shot('forecast-team', screen), fullPage: true });

    // The board and the leads: only the team's.
    await page.locator('[data-view="board"]').click();
    const board = page.locator('rapport-pipeline-board');
    await loaded(board, 20_000);
    const dealOwners = await board
      .locator('article.card')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-owner')));
    expect(dealOwners.length).toBeGreaterThan(0);
    for (const owner of dealOwners) expect(team).toContain(owner);
    await page.screenshot({ path: shot('board-team', screen) });
    await page.locator('[data-view="leads"]').click();
    const leads = page.locator('rapport-leads-list');
    await loaded(leads, 20_000);
    const leadOwners = await leads
      .locator('tr[data-lead]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-owner')));
    expect(leadOwners.length).toBeGreaterThan(0);
    for (const owner of leadOwners) expect(team).toContain(owner);
    const { body: teamLeads } = await api<{ items: unknown[] }>(
      `/leads?limit=25&sort=-createdAt&ownerId[in]=${team.join(',')}`,
    );
    expect(leadOwners.length).toBe(teamLeads.items.length);
    await page.screenshot({ path: shot('leads-team', screen), fullPage: screen.phone });
    // The view and the manager come back from the URL.
    await page.reload();
    await loaded(page.locator('rapport-leads-list'), 20_000);
    expect(await page.locator('select#owner').inputValue()).toBe(top.id);
    // The KPI dashboard with the manager chosen: the team's figures, not the manager's own zeros.
    await page.locator('[data-view="kpis"]').click();
    await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, {
      timeout: 30_000,
    });
    await expect
      .poll(() => page.locator('[data-kpi="pipeline.openValue"]').getAttribute('data-value'), {
        timeout: 30_000,
      })
      .toBe(String(await evaluated(team)));
    expect(await evaluated(team)).not.toBe(await evaluated([top.id]));
    // The middle manager: their part of the team, less than everyone's.
    await page.locator('select#owner').selectOption(middle.id);
    await expect
      .poll(() => page.locator('[data-kpi="pipeline.openValue"]').getAttribute('data-value'), {
        timeout: 30_000,
      })
      .toBe(String(await evaluated(middleTeam)));
    expect(await evaluated(middleTeam)).toBeLessThan((await evaluated(team))!);
    expect(new URL(page.url()).searchParams.get('owner')).toBe(middle.id);
    await page.screenshot({ path: shot('kpis-middle-manager', screen), fullPage: screen.phone });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
}
