/**
 * `npm run bench:page -- [--size 10000] [--rounds 5] [--period 2026]`: the dashboard page as it
 * loads in Chromium (/usr/bin/chromium, headless) against one `POST /kpis/evaluate` of the same
 * KPIs, both on `rapport serve`'s server over the cached benchmark database of one size, the two
 * sides alternated round by round (bench/paired-runs.ts) and their ratio taken per round. Two
 * marks of the page: `data-cards="ready"` on its body (every KPI card has its value: what the
 * target of issue 14 measures, page <= 1.3 x one evaluate call) and `data-state="ready"`
 * (everything drawn, the charts' breakdowns and months too). It also prints the last load's
 * evaluate calls: when each was sent and how long it took.
 */

import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCrm } from '@rapport/core';
import { createApiKeyStore, httpPlugin, startRapportServer } from '@rapport/http';
import { sqliteStorage } from '@rapport/sqlite';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { median } from './bench-stats.js';
import { benchNow, benchTenant, ensureDataset, migrateDataset } from './dataset.js';
import { discoverPlugins } from './kpi-plugins.js';
import { pairedRatio, runPaired } from './paired-runs.js';
import { RssSampler } from './rss-sampler.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    period: { type: 'string', default: '2026' },
    seed: { type: 'string', default: '1' },
  },
});
const size = Number(values.size);
const period = values.period ?? '2026';
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

const dashboardRoot = fileURLToPath(new URL('../examples/dashboard/', import.meta.url));
// The page as its sources are now, not a dist folder left from an older build.
await build({ root: dashboardRoot, logLevel: 'error' });
const { plugins } = await discoverPlugins();
const dataset = await ensureDataset('bench/data', size, Number(values.seed), console.log);
await migrateDataset(dataset.file, [httpPlugin, ...plugins]);
const crm = createCrm({
  storage: sqliteStorage({ filename: dataset.file }),
  plugins: [httpPlugin, ...plugins],
  now: () => benchNow,
});
await crm.migrate();
const server = await startRapportServer({
  crm,
  tenantId: benchTenant.id,
  port: 0,
  dashboardDir: `${dashboardRoot}dist`,
});
const keys = createApiKeyStore(crm);
// A fresh key per run, as a new visitor: one key makes 20 requests a second after 120.
const newKey = async () =>
  (await keys.createSystemKey({ tenantId: benchTenant.id, name: 'bench page' })).key;
const ids = crm
  .tenant(benchTenant.id)
  .system()
  .kpis.definitions()
  .map((kpi) => kpi.id);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const sampler = await RssSampler.start();

/** What one page load asked the API for. */
interface PageLoad {
  readonly evaluations: number;
  readonly requests: number;
  /** The most evaluate calls in flight at once. */
  readonly parallel: number;
  /** Each API call: what it asked for, when it was sent (ms after the start) and its time. */
  readonly calls: readonly { readonly what: string; readonly at: number; readonly ms: number }[];
}

/** An evaluate call's URL as `by=owner`, `period=2026-03` or `totals`. */
function callName(url: string): string {
  const params = new URL(url).searchParams;
  const parts = [
    ...(params.get('by') ? [`by=${params.get('by')}`] : []),
    ...(params.get('period') !== period ? [`period=${params.get('period')}`] : []),
  ];
  const ids = params.get('ids');
  return `${parts.join(' ') || 'totals'} (${ids === null ? 'every' : ids.split(',').length} KPIs)`;
}

/** Time until every card had its value, per page load (the first is the warm-up). */
const cardRuns: number[] = [];
/** Time until everything was drawn (charts too), per page load. */
const readyRuns: number[] = [];

/** The dashboard opened in a fresh browser context (nothing cached), until it says ready. */
async function pageLoad(): Promise<PageLoad> {
  const key = await newKey();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    let requests = 0;
    let evaluations = 0;
    let inFlight = 0;
    let parallel = 0;
    // From the navigation on, as a visitor opening the link in a running browser: starting a
    // browser context and a tab (about a second on this machine under load) is not the page's.
    let started = performance.now();
    const sent = new Map<unknown, number>();
    const calls: { what: string; at: number; ms: number }[] = [];
    page.on('request', (request) => {
      if (!request.url().includes('/api/')) return;
      requests += 1;
      sent.set(request, performance.now());
      if (!request.url().includes('/kpis/evaluate')) return;
      evaluations += 1;
      inFlight += 1;
      parallel = Math.max(parallel, inFlight);
    });
    const done = (request: { url(): string }) => {
      if (!request.url().includes('/api/')) return;
      const evaluation = request.url().includes('/kpis/evaluate');
      if (evaluation) inFlight -= 1;
      const at = sent.get(request) ?? started;
      const what = evaluation ? callName(request.url()) : `GET ${new URL(request.url()).pathname}`;
      calls.push({ what, at: at - started, ms: performance.now() - at });
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    started = performance.now();
    await page.goto(`${server.url}/?period=${encodeURIComponent(period)}#key=${key}`);
    calls.push({ what: 'page loaded (HTML, script)', at: performance.now() - started, ms: 0 });
    // Every KPI card has its value: the page marks it once it drew the totals of every group.
    // Expressions as text: they run in the page, and the bench is compiled without the DOM types.
    await page.waitForFunction("document.body.dataset.cards === 'ready'", undefined, {
      timeout: 600_000,
      polling: 5,
    });
    cardRuns.push(performance.now() - started);
    await page.waitForFunction("document.body.dataset.state !== 'loading'", undefined, {
      timeout: 600_000,
      polling: 5,
    });
    readyRuns.push(performance.now() - started);
    const state = await page.evaluate<{ state: string | undefined; cards: number }>(
      "({ state: document.body.dataset.state, cards: document.querySelectorAll('[data-kpi]').length })",
    );
    if (state.state !== 'ready') throw new Error(`the page ended in state ${state.state}`);
    if (state.cards !== ids.length) {
      throw new Error(`the page drew ${state.cards} KPI cards, the API has ${ids.length}`);
    }
    return { evaluations, requests, parallel, calls };
  } finally {
    await context.close();
  }
}

/** One evaluate call of every KPI the page shows, for the same period, as the page's totals. */
async function evaluateCall(): Promise<PageLoad> {
  const key = await newKey();
  const response = await fetch(`${server.apiUrl}/kpis/evaluate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ids, period }),
  });
  if (!response.ok) throw new Error(`evaluate: HTTP ${response.status}`);
  await response.arrayBuffer();
  return { evaluations: 1, requests: 1, parallel: 1, calls: [] };
}

console.log(
  `${size.toLocaleString('en')} opportunities, ${ids.length} KPIs, load average before: ${load()}`,
);
try {
  const [page, evaluate] = await runPaired(
    sampler,
    Number(values.rounds),
    [
      { name: 'page', work: pageLoad },
      { name: 'evaluate', work: evaluateCall },
    ],
    console.log,
  );
  if (!page || !evaluate) throw new Error('both sides ran');
  const cards = cardRuns.slice(1);
  const ready = readyRuns.slice(1);
  console.log(
    `page, every KPI card with its value: median ${median(cards).toFixed(0)} ms (${cards.map((ms) => ms.toFixed(0)).join(' / ')})`,
  );
  console.log(
    `page, everything drawn (charts too): median ${median(ready).toFixed(0)} ms (${ready.map((ms) => ms.toFixed(0)).join(' / ')}); with a new browser context and tab ${page.ms.toFixed(0)} ms; ${page.result.requests} API requests, ${page.result.evaluations} evaluate calls, at most ${page.result.parallel} at once`,
  );
  console.log(
    '  the last page load, its API calls in the order they were sent (ms after the start):',
  );
  for (const call of [...page.result.calls].sort((a, b) => a.at - b.at)) {
    console.log(`    +${call.at.toFixed(0)} ms ${call.what}: ${call.ms.toFixed(0)} ms`);
  }
  console.log(
    `one evaluate call of the same ${ids.length} KPIs: median ${evaluate.ms.toFixed(0)} ms (${evaluate.runs.map((ms) => ms.toFixed(0)).join(' / ')})`,
  );
  console.log(
    `cards / evaluate: ${pairedRatio({ ms: median(cards), runs: cards }, evaluate, true).toFixed(2)}x, everything / evaluate: ${pairedRatio({ ms: median(ready), runs: ready }, evaluate, true).toFixed(2)}x (medians of the rounds' own ratios; target <= 1.3x)`,
  );
  console.log(`load average after: ${load()}`);
} finally {
  await sampler.stop();
  await browser.close();
  await server.close();
  await crm.destroy();
}
