import type { Chart } from 'chart.js';
import './styles.css';
import { hierarchyLabel, ownerHierarchy, stringsOf, withReports } from '@rapport/workspace';
import {
  type ApiClient,
  ApiError,
  createApiClient,
  type KpiInfo,
  type KpiResult,
} from './api-client.js';
import { barsWithLine, groupedBars, intervalChart, lineSeries, type Series } from './charts.js';
import { h, select } from './dom.js';
import { formatChange, formatInterval, formatValue } from './format.js';
import { initialLang, type Lang, type Strings, t } from './i18n.js';
import { chartKpis, isUnrealisticList } from './kpi-selection.js';
import { registerOffline } from './offline.js';
import { monthsBefore, periodEnd, periodOptions } from './periods.js';
import { readUrlState, type UrlState, views, writeUrlState } from './url-state.js';
import { mountView } from './workspace-views.js';

interface Named {
  readonly id: string;
  readonly name: string;
  readonly teamId?: string | null;
  readonly managerId?: string | null;
}

interface Context {
  readonly client: ApiClient;
  readonly catalog: readonly KpiInfo[];
  readonly users: readonly Named[];
  readonly products: readonly Named[];
  readonly teams: readonly Named[];
  readonly apiKey: string;
  readonly dataThrough: string | null;
  readonly stageOrder: ReadonlyMap<string, number>;
  readonly tenantName: string;
  readonly baseCurrency: string;
  readonly years: { readonly first: number | null; readonly last: number | null };
}

const knownGroups = ['leads', 'pipeline', 'closing', 'aftersales'];
const appRoot = document.querySelector<HTMLDivElement>('#app');
if (!appRoot) throw new Error('index.html has no #app element');
const root = appRoot;
const apiBase = new URL('api', document.baseURI).href.replace(/\/$/, '');
const fromUrl = readUrlState(location.search);
const state: UrlState & { lang: Lang } = { ...fromUrl, lang: fromUrl.lang ?? initialLang() };

/** Keeps view, period and filters in the URL, so a reload or a shared link restores them. */
function syncUrl(): void {
  history.replaceState(null, '', location.pathname + writeUrlState(state));
}
let charts: Chart[] = [];
let generation = 0;

function setStatus(status: 'loading' | 'ready' | 'error'): void {
  document.body.dataset.state = status;
}

/** The API key: from `#key=...` (what rapport serve prints), then remembered in this browser. */
function takeKey(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromHash) {
    localStorage.setItem('rapport.key', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    syncUrl();
    return fromHash;
  }
  return localStorage.getItem('rapport.key');
}

function keyForm(message?: string): void {
  const strings = t(state.lang);
  const input = h('input', {
    type: 'password',
    id: 'api-key',
    autocomplete: 'off',
    required: true,
  });
  const form = h(
    'form',
    { class: 'key-form' },
    h('h1', {}, 'Rapport'),
    message ? h('p', { class: 'error' }, message) : null,
    h('label', { for: 'api-key' }, strings.keyPrompt),
    input,
    h('button', { type: 'submit' }, strings.keySave),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    localStorage.setItem('rapport.key', input.value.trim());
    registerOffline(() => state.lang);
    void boot();
  });
  root.replaceChildren(form);
  setStatus('ready');
}

async function boot(): Promise<void> {
  const key = takeKey();
  if (!key) return keyForm();
  setStatus('loading');
  const client = createApiClient(apiBase, key);
  // A link with a period and no filter (what rapport serve opens): the totals of every KPI are
  // asked for with the page's frame, not after it.
  if (state.view === 'kpis' && state.period && Object.keys(activeFilters()).length === 0) {
    const totals = client.evaluateAll(state.period);
    totals.catch(() => undefined);
    earlyTotals = { key: viewKey(), totals };
  }
  try {
    const [session, kpis, users, products, pipelines, first, last, teams] = await Promise.all([
      client.get<{ tenant: { name: string; baseCurrency: string } }>('/session'),
      client.get<{ kpis: KpiInfo[] }>('/kpis'),
      client.get<{ items: Named[] }>('/users', { sort: 'name', limit: '1000' }),
      client.get<{ items: Named[] }>('/products', { sort: 'name', limit: '1000' }),
      client.get<{ items: { stages: { name: string }[] }[] }>('/pipelines', { limit: '100' }),
      client.get<{ items: { closeDate: string }[] }>('/opportunities', {
        'status[in]': 'won,lost',
        sort: 'closeDate',
        limit: '1',
      }),
      client.get<{ items: { closeDate: string }[] }>('/opportunities', {
        'status[in]': 'won,lost',
        sort: '-closeDate',
        limit: '1',
      }),
      client.get<{ items: Named[] }>('/teams', { sort: 'name', limit: '1000' }),
    ]);
    const stageOrder = new Map<string, number>();
    for (const pipeline of pipelines.items) {
      for (const stage of pipeline.stages) {
        if (!stageOrder.has(stage.name)) stageOrder.set(stage.name, stageOrder.size);
      }
    }
    const year = (row: { closeDate: string } | undefined) =>
      row ? Number(row.closeDate.slice(0, 4)) : null;
    const thisYear = new Date().getFullYear();
    const lastYear = year(last.items[0]);
    const context: Context = {
      client,
      catalog: kpis.kpis,
      users: users.items,
      products: products.items,
      teams: teams.items,
      apiKey: key,
      dataThrough: last.items[0]?.closeDate ?? null,
      stageOrder,
      tenantName: session.tenant.name,
      baseCurrency: session.tenant.baseCurrency,
      years: {
        first: year(first.items[0]),
        last: lastYear === null ? null : Math.min(lastYear, thisYear),
      },
    };
    tenantUsers = context.users;
    state.period ||= context.years.last === null ? 'thisYear' : String(context.years.last);
    syncUrl();
    shell(context);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      localStorage.removeItem('rapport.key');
      return keyForm(t(state.lang).keyInvalid);
    }
    showError(error);
  }
}

function showError(error: unknown): void {
  setStatus('error');
  root.replaceChildren(
    h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)),
  );
}

/** Header and filters, then the KPI groups below them. */
function shell(context: Context): void {
  const strings = t(state.lang);
  document.documentElement.lang = state.lang;
  document.title = `Rapport · ${strings.title}`;
  const content = h('main', { id: 'content' });
  const rerender = () => shell(context);
  const langButton = (lang: Lang) => {
    const button = h(
      'button',
      { type: 'button', 'aria-pressed': String(state.lang === lang), 'data-lang': lang },
      lang.toUpperCase(),
    );
    button.addEventListener('click', () => {
      state.lang = lang;
      localStorage.setItem('rapport.lang', lang);
      syncUrl();
      rerender();
    });
    return button;
  };
  const nav = h(
    'nav',
    { class: 'views', 'aria-label': strings.navigation },
    ...views.map((view) => {
      const link = h(
        'a',
        {
          href: writeUrlState({ ...state, view }) || '?',
          'data-view': view,
          ...(state.view === view ? { 'aria-current': 'page' } : {}),
        },
        strings.views[view] ?? view,
      );
      link.addEventListener('click', (event) => {
        event.preventDefault();
        state.view = view;
        syncUrl();
        rerender();
      });
      return link;
    }),
  );
  const teamFilter = h(
    'label',
    {},
    h('span', {}, strings.team),
    select(
      'team',
      [
        { value: '', label: strings.allTeams },
        ...context.teams.map((team) => ({ value: team.id, label: team.name })),
      ],
      state.team,
      (value) => {
        state.team = value;
        changed(context, content);
      },
    ),
  );
  const header = h(
    'header',
    {},
    h(
      'div',
      { class: 'title' },
      h('h1', {}, strings.title),
      h('span', { class: 'tenant' }, context.tenantName),
      h(
        'div',
        { class: 'lang', role: 'group', 'aria-label': strings.language },
        langButton('de'),
        langButton('en'),
      ),
    ),
    h(
      'div',
      { class: 'filters' },
      h(
        'label',
        {},
        h('span', {}, strings.period),
        select(
          'period',
          periodOptions(strings, context.years.first, context.years.last),
          state.period,
          (value) => {
            state.period = value;
            changed(context, content);
          },
        ),
      ),
      h(
        'label',
        {},
        h('span', {}, strings.owner),
        select(
          'owner',
          [
            { value: '', label: strings.everyone },
            // The managerId tree, indented; a manager stands for them and their reports.
            ...ownerHierarchy(context.users).map((node) => ({
              value: node.user.id,
              label: hierarchyLabel(node, stringsOf(state.lang).withReports),
            })),
          ],
          state.owner,
          (value) => {
            state.owner = value;
            changed(context, content);
          },
        ),
      ),
      h(
        'label',
        {},
        h('span', {}, strings.product),
        select(
          'product',
          [
            { value: '', label: strings.allProducts },
            ...context.products.map((p) => ({ value: p.id, label: p.name })),
          ],
          state.product,
          (value) => {
            state.product = value;
            changed(context, content);
          },
        ),
      ),
    ),
  );
  header.querySelector('.filters')?.prepend(teamFilter);
  header.append(nav);
  if (context.dataThrough) {
    header.append(
      h(
        'p',
        { class: 'meta data-through' },
        `${strings.dataThrough} ${new Intl.DateTimeFormat(state.lang === 'de' ? 'de-DE' : 'en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(context.dataThrough))}`,
      ),
    );
  }
  root.replaceChildren(header, content);
  showView(context, content);
}

/** A filter changed: keep it in the URL and show the view again. */
function changed(context: Context, content: HTMLElement): void {
  syncUrl();
  showView(context, content);
}

/**
 * The owners the workspace views show: the chosen rep (a manager with everyone below them),
 * else the chosen team's members.
 */
function chosenOwners(context: Context): string[] | null {
  if (state.owner) return withReports(context.users, state.owner);
  if (state.team) return context.users.filter((u) => u.teamId === state.team).map((u) => u.id);
  return null;
}

/** The KPI dashboard, or one of the workspace components in its place. */
function showView(context: Context, content: HTMLElement): void {
  if (state.view === 'kpis') {
    void refresh(context, content);
    return;
  }
  ++generation;
  for (const chart of charts) chart.destroy();
  charts = [];
  setStatus('ready');
  mountView(content, {
    view: state.view,
    apiBase,
    apiKey: context.apiKey,
    lang: state.lang,
    period: state.period,
    currency: context.baseCurrency,
    owners: chosenOwners(context),
    state,
    onStateChange: syncUrl,
    onDealChanged: () => loadedGroups.clear(),
  });
}

/** The tenant's users, once loaded: a chosen manager filters the KPIs by them and their reports. */
let tenantUsers: readonly Named[] = [];

function activeFilters(): Record<string, string> {
  return {
    ...(state.team ? { team: state.team } : {}),
    ...(state.owner ? { owner: withReports(tenantUsers, state.owner).join(',') } : {}),
    ...(state.product ? { product: state.product } : {}),
  };
}

/** The filters a KPI supports, and the names of those it cannot apply. */
function filtersFor(kpis: readonly KpiInfo[]): {
  filters: Record<string, string>;
  skipped: string[];
} {
  const filters: Record<string, string> = {};
  const skipped: string[] = [];
  for (const [dimension, value] of Object.entries(activeFilters())) {
    if (kpis.every((kpi) => kpi.dimensions.includes(dimension))) filters[dimension] = value;
    else skipped.push(dimension);
  }
  return { filters, skipped };
}

/** What one KPI group's section shows. */
interface GroupData {
  readonly totals: Record<string, KpiResult>;
  readonly skipped: ReadonlyMap<string, readonly string[]>;
  readonly breakdowns: Readonly<Record<string, Record<string, KpiResult>>>;
  readonly months: readonly string[];
  readonly monthly: readonly Record<string, KpiResult>[];
  /** The charts' calls are still out: the cards are drawn, the charts say they are loading. */
  readonly chartsPending?: boolean;
}

/** The order groups are drawn in, the most read first; they load all at once. */
const loadOrder = ['closing', 'pipeline', 'aftersales', 'leads'];

function groupsOf(catalog: readonly KpiInfo[]): string[] {
  const all = [...knownGroups, ...catalog.map((kpi) => kpi.group)];
  return all.filter((group, index) => all.indexOf(group) === index);
}

/** Loaded groups by group, period and filters: switching the language draws without reloading. */
const loadedGroups = new Map<string, Promise<GroupData>>();

function viewKey(): string {
  return JSON.stringify([state.period, state.owner, state.product, state.team]);
}

function loadGroup(context: Context, group: string): Promise<GroupData> {
  const key = JSON.stringify([group, viewKey()]);
  let loading = loadedGroups.get(key);
  if (!loading) {
    loading = fetchGroup(context, group);
    loading.catch(() => loadedGroups.delete(key));
    loadedGroups.set(key, loading);
  }
  return loading;
}

/** Every group's totals by period and filters. */
const loadedTotals = new Map<string, Promise<Record<string, KpiResult>>>();

/** The totals boot asked for before the catalogue came, and the view they are for. */
let earlyTotals: { key: string; totals: Promise<Record<string, KpiResult>> } | undefined;

/**
 * The totals of every KPI of every group in as few calls as the API allows: one evaluate call
 * per set of filters the KPIs can apply (one when no filter is chosen), all sent at once. Each
 * group's section takes its own KPIs from them.
 */
function loadTotals(context: Context): Promise<Record<string, KpiResult>> {
  const key = viewKey();
  let loading = loadedTotals.get(key);
  const early = earlyTotals?.key === key ? earlyTotals.totals : undefined;
  earlyTotals = undefined;
  if (!loading && early) {
    // Taken when they hold every KPI of the catalogue; asked for again otherwise (or on error).
    loading = early.then(
      (results) =>
        context.catalog.every((kpi) => kpi.id in results) ? results : fetchTotals(context),
      () => fetchTotals(context),
    );
    loading.catch(() => loadedTotals.delete(key));
    loadedTotals.set(key, loading);
  }
  if (!loading) {
    loading = fetchTotals(context);
    loading.catch(() => loadedTotals.delete(key));
    loadedTotals.set(key, loading);
  }
  return loading;
}

/** One evaluate call per set of filters the KPIs can apply, all sent at once. */
function fetchTotals(context: Context): Promise<Record<string, KpiResult>> {
  // KPIs that cannot apply the chosen filters are evaluated without them, and say so.
  const bySkipped = new Map<string, KpiInfo[]>();
  for (const kpi of context.catalog) {
    const skipped = filtersFor([kpi]).skipped.join(',');
    bySkipped.set(skipped, [...(bySkipped.get(skipped) ?? []), kpi]);
  }
  const period = state.period;
  return Promise.all(
    [...bySkipped.values()].map((part) =>
      context.client.evaluate({
        ids: part.map((kpi) => kpi.id),
        period,
        filters: filtersFor(part).filters,
      }),
    ),
  ).then((parts) => Object.assign({}, ...parts));
}

/** A group's cards from the totals, before its charts' calls are answered. */
async function groupTotals(context: Context, group: string): Promise<GroupData> {
  const all = await loadTotals(context);
  const kpis = context.catalog.filter((kpi) => kpi.group === group);
  const totals: Record<string, KpiResult> = {};
  for (const kpi of kpis) {
    const result = all[kpi.id];
    if (result) totals[kpi.id] = result;
  }
  const skipped = new Map(kpis.map((kpi) => [kpi.id, filtersFor([kpi]).skipped]));
  return { totals, skipped, breakdowns: {}, months: [], monthly: [], chartsPending: true };
}

async function fetchGroup(context: Context, group: string): Promise<GroupData> {
  const { client } = context;
  const period = state.period;
  // The charts' calls wait for the totals: the cards (what is read first) then come as soon as
  // one evaluate call allows, instead of sharing the server with a dozen smaller calls; the
  // charts' calls follow, side by side in the lanes.
  await loadTotals(context);
  const kpis = context.catalog.filter((kpi) => kpi.group === group);
  const chosen = chartKpis(context.catalog);
  const breakdown = (list: readonly (KpiInfo | undefined)[], by: string) => {
    const present = list.filter((kpi): kpi is KpiInfo => kpi !== undefined);
    return client.evaluate({
      ids: present.map((kpi) => kpi.id),
      period,
      by,
      filters: filtersFor(present).filters,
      compare: false,
    });
  };
  // Everything a section shows is asked for at once: totals, breakdowns and the months.
  const wanted: Record<string, Promise<Record<string, KpiResult>>> = {};
  if (group === 'leads')
    wanted.leadSource = breakdown([chosen.leadCount, chosen.costPerLead], 'leadSource');
  if (group === 'pipeline') wanted.stage = breakdown(chosen.pipeline, 'stage');
  if (group === 'closing') {
    wanted.owner = breakdown([chosen.winRate], 'owner');
    wanted.product = breakdown([chosen.winRate], 'product');
  }
  const allTotals = loadTotals(context);
  const monthly = async (): Promise<{ months: string[]; monthly: Record<string, KpiResult>[] }> => {
    if (group !== 'aftersales' || chosen.retention.length === 0) return { months: [], monthly: [] };
    // A year, quarter or month ends where its label says; a relative period (this month) ends
    // where the tenant's calendar says, which the totals tell.
    const end =
      periodEnd(period) ??
      Object.values(await allTotals).find((result) => result.period.end)?.period.end;
    const months = monthsBefore(end ?? new Date().toISOString().slice(0, 10));
    const results = await Promise.all(
      months.map((month) =>
        client.evaluate({
          ids: chosen.retention.map((kpi) => kpi.id),
          period: month,
          filters: filtersFor(chosen.retention).filters,
          compare: false,
        }),
      ),
    );
    return { months, monthly: results };
  };
  const [all, breakdowns, months] = await Promise.all([
    allTotals,
    Promise.all(Object.entries(wanted).map(async ([by, results]) => [by, await results] as const)),
    monthly(),
  ]);
  const totals: Record<string, KpiResult> = {};
  for (const kpi of kpis) {
    const result = all[kpi.id];
    if (result) totals[kpi.id] = result;
  }
  const skipped = new Map(kpis.map((kpi) => [kpi.id, filtersFor([kpi]).skipped]));
  return { totals, skipped, breakdowns: Object.fromEntries(breakdowns), ...months };
}

/** Loads and draws every group; a newer refresh (another filter) makes an older one stop. */
async function refresh(context: Context, content: HTMLElement): Promise<void> {
  const mine = ++generation;
  for (const chart of charts) chart.destroy();
  charts = [];
  setStatus('loading');
  const strings = t(state.lang);
  const groups = groupsOf(context.catalog);
  const placeholders = new Map(
    groups.map((group) => [
      group,
      h(
        'section',
        { class: 'group', 'data-group': group, 'aria-busy': 'true' },
        h('h2', {}, strings.groups[group] ?? group),
        h('p', { class: 'meta' }, strings.loading),
      ),
    ]),
  );
  content.replaceChildren(...placeholders.values());
  const ordered = [...groups].sort(
    (a, b) => (loadOrder.indexOf(a) + 1 || 99) - (loadOrder.indexOf(b) + 1 || 99),
  );
  delete document.body.dataset.cards;
  try {
    // The totals are asked for first (the first call in the lanes), then every group's charts;
    // a group is drawn with its cards as soon as the totals are in, again with its charts.
    const cardsDrawn = Promise.all(
      ordered.map(async (group) => {
        const first = await groupTotals(context, group);
        if (mine !== generation) return;
        const drawn = renderGroup(context, group, first);
        placeholders.get(group)?.replaceWith(drawn);
        placeholders.set(group, drawn);
      }),
    );
    const groupsDrawn = Promise.all(
      ordered.map(async (group) => {
        const data = await loadGroup(context, group);
        await cardsDrawn;
        if (mine !== generation) return;
        const drawn = renderGroup(context, group, data);
        placeholders.get(group)?.replaceWith(drawn);
        placeholders.set(group, drawn);
      }),
    );
    await cardsDrawn;
    // Every KPI card has its value (the bench and the tests wait for this); charts may follow.
    if (mine === generation) document.body.dataset.cards = 'ready';
    await groupsDrawn;
    if (mine !== generation) return;
    setStatus('ready');
  } catch (error) {
    if (mine === generation) showError(error);
  }
}

function titleOf(kpi: { title: { en: string; de: string } }): string {
  return kpi.title[state.lang];
}

function card(result: KpiResult, skipped: readonly string[], strings: Strings): HTMLElement {
  const change = result.previous
    ? formatChange(result, result.previous.change, result.previous.relativeChange, state.lang)
    : null;
  const rising = (result.previous?.change ?? 0) > 0;
  const falling = (result.previous?.change ?? 0) < 0;
  const tone =
    result.direction === 'neutral' || (!rising && !falling)
      ? 'flat'
      : rising === (result.direction === 'higher')
        ? 'good'
        : 'bad';
  return h(
    'article',
    {
      class: 'card',
      'data-kpi': result.id,
      'data-value': result.value === null ? '' : String(result.value),
    },
    h('h3', {}, titleOf(result)),
    h('p', { class: 'value' }, formatValue(result, result.value, state.lang)),
    result.value === null ? h('p', { class: 'meta' }, result.reason ?? strings.noData) : null,
    h(
      'p',
      { class: 'meta' },
      change ? h('span', { class: `change ${tone}` }, change) : null,
      change && result.previous ? ` ${strings.previous} ${result.previous.period.label} · ` : null,
      `${strings.sample}=${new Intl.NumberFormat(state.lang).format(result.sampleSize)}`,
    ),
    result.interval
      ? h(
          'p',
          { class: 'meta ci' },
          `${strings.interval} ${formatInterval(result.interval, state.lang)}`,
        )
      : null,
    skipped.length > 0
      ? h(
          'p',
          { class: 'meta note' },
          `${strings.unfiltered} ${skipped.map((d) => (d === 'owner' ? strings.owner : d === 'team' ? strings.team : strings.product)).join(', ')}`,
        )
      : null,
  );
}

function panel(
  title: string,
  height: number,
  draw: (canvas: HTMLCanvasElement) => Chart,
): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': title });
  const box = h('div', { class: 'chart-box', style: `height:${height}px` }, canvas);
  const section = h('section', { class: 'panel' }, h('h3', {}, title), box);
  // Charts measure their box, so they are drawn once the panel is in the document.
  queueMicrotask(() => charts.push(draw(canvas)));
  return section;
}

function labelOf(key: string | null, label: string | null, strings: Strings): string {
  return label ?? key ?? strings.none;
}

function seriesFrom(
  results: Record<string, KpiResult>,
  kpis: readonly KpiInfo[],
  strings: Strings,
  order?: ReadonlyMap<string, number>,
): { labels: string[]; series: Series[] } {
  const keys: (string | null)[] = [];
  const labels = new Map<string | null, string>();
  for (const kpi of kpis) {
    for (const group of results[kpi.id]?.breakdown ?? []) {
      if (!labels.has(group.key)) {
        keys.push(group.key);
        labels.set(group.key, labelOf(group.key, group.label, strings));
      }
    }
  }
  if (order) keys.sort((a, b) => (order.get(a ?? '') ?? 999) - (order.get(b ?? '') ?? 999));
  return {
    labels: keys.map((key) => labels.get(key) ?? strings.none),
    series: kpis.map((kpi) => {
      const result = results[kpi.id];
      const byKey = new Map((result?.breakdown ?? []).map((group) => [group.key, group.value]));
      return {
        label: titleOf(kpi),
        kpi: { unit: kpi.unit, currency: result?.currency ?? null },
        values: keys.map((key) => byKey.get(key) ?? null),
      };
    }),
  };
}

function winRatePanel(
  title: string,
  result: KpiResult | undefined,
  strings: Strings,
): HTMLElement | null {
  // A breakdown with only "none" (no products on the deals) says nothing worth a chart.
  if (!result?.breakdown?.some((group) => group.key !== null)) return null;
  const points = result.breakdown
    .filter((group) => group.sampleSize > 0)
    .map((group) => ({
      label: labelOf(group.key, group.label, strings),
      value: group.value,
      lower: group.interval?.lower ?? null,
      upper: group.interval?.upper ?? null,
      sampleSize: group.sampleSize,
    }))
    .sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
  return panel(title, Math.max(180, points.length * 26 + 70), (canvas) =>
    intervalChart(
      canvas,
      points,
      { value: titleOf(result), interval: strings.interval },
      state.lang,
    ),
  );
}

function unrealisticTable(
  results: readonly KpiResult[],
  baseCurrency: string,
  strings: Strings,
): HTMLElement | null {
  if (results.length === 0) return null;
  const preferred = [
    'name',
    'ownerName',
    'stage',
    'closeDate',
    'amount',
    'issues',
    'nextStep',
    'lastActivityAt',
  ];
  const sections = results.map((result) => {
    const items = result.items;
    const sample = items[0] ?? {};
    const columns = preferred.filter((column) => column in sample);
    const shown =
      columns.length > 0
        ? columns
        : Object.keys(sample)
            .filter((k) => k !== 'id')
            .slice(0, 5);
    const cell = (item: Readonly<Record<string, unknown>>, column: string) => {
      const value = item[column];
      if (column === 'amount' && typeof value === 'number') {
        const currency = typeof item.currency === 'string' ? item.currency : baseCurrency;
        return formatValue({ unit: 'money', currency }, value, state.lang);
      }
      if (Array.isArray(value))
        return value.map((v) => strings.issues[String(v)] ?? String(v)).join(', ');
      if (column === 'lastActivityAt' && typeof value === 'string') return value.slice(0, 10);
      return value === null || value === undefined ? '–' : String(value);
    };
    const heading = `${strings.unrealistic} · ${titleOf(result)} (${items.length})`;
    return h(
      'section',
      { class: 'panel wide', 'data-list': result.id },
      h('h3', {}, heading),
      items.length === 0
        ? h('p', { class: 'meta' }, strings.unrealisticNone)
        : h(
            'div',
            // A table that scrolls must be reachable by keyboard to be scrolled (WCAG 2.1.1;
            // axe's scrollable-region-focusable): a named, focusable region.
            { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': heading },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...shown.map((column) =>
                    h('th', { scope: 'col' }, strings.columns[column] ?? column),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                ...items
                  .slice(0, 200)
                  .map((item) =>
                    h('tr', {}, ...shown.map((column) => h('td', {}, cell(item, column)))),
                  ),
              ),
            ),
          ),
    );
  });
  return h('div', { class: 'lists' }, ...sections);
}

function renderGroup(context: Context, group: string, loaded: GroupData): HTMLElement {
  const strings = t(state.lang);
  const chosen = chartKpis(context.catalog);
  const kpis = context.catalog.filter((kpi) => kpi.group === group);
  const panels: (HTMLElement | null)[] = [];
  const charted = !loaded.chartsPending;
  if (loaded.chartsPending) {
    panels.push(h('p', { class: 'meta' }, strings.loading));
  }
  if (charted && group === 'leads' && chosen.leadCount) {
    const shown = [chosen.leadCount, chosen.costPerLead].filter((k): k is KpiInfo => !!k);
    const { labels, series } = seriesFrom(loaded.breakdowns.leadSource ?? {}, shown, strings);
    const [bars, line] = series;
    if (labels.length > 0 && bars)
      panels.push(
        panel(strings.leadsBySource, 280, (c) => barsWithLine(c, labels, bars, line, state.lang)),
      );
  }
  if (charted && group === 'pipeline' && chosen.pipeline.length > 0) {
    const { labels, series } = seriesFrom(
      loaded.breakdowns.stage ?? {},
      chosen.pipeline,
      strings,
      context.stageOrder,
    );
    if (labels.length > 0)
      panels.push(
        panel(strings.pipelineByStage, Math.max(240, labels.length * 34 + 80), (c) =>
          groupedBars(c, labels, series, state.lang, true),
        ),
      );
  }
  if (group === 'pipeline') {
    const lists = Object.values(loaded.totals).filter(
      (result) => isUnrealisticList(result.id) || result.items.length > 0,
    );
    panels.push(unrealisticTable(lists, context.baseCurrency, strings));
  }
  if (charted && group === 'closing' && chosen.winRate) {
    panels.push(
      winRatePanel(strings.winRateByOwner, loaded.breakdowns.owner?.[chosen.winRate.id], strings),
    );
    panels.push(
      winRatePanel(
        strings.winRateByProduct,
        loaded.breakdowns.product?.[chosen.winRate.id],
        strings,
      ),
    );
  }
  if (charted && group === 'aftersales' && chosen.retention.length > 0) {
    const series: Series[] = chosen.retention.map((kpi) => ({
      label: titleOf(kpi),
      kpi: { unit: kpi.unit, currency: null },
      values: loaded.monthly.map((results) => results[kpi.id]?.value ?? null),
    }));
    panels.push(
      panel(strings.retentionOverTime, 280, (c) =>
        lineSeries(c, loaded.months, series, state.lang),
      ),
    );
  }
  const cards = kpis
    .map((kpi) => loaded.totals[kpi.id])
    .filter((result): result is KpiResult => result !== undefined)
    .map((result) => card(result, loaded.skipped.get(result.id) ?? [], strings));
  return h(
    'section',
    { class: 'group', 'data-group': group },
    h('h2', {}, strings.groups[group] ?? group),
    kpis.length === 0
      ? h('p', { class: 'meta' }, strings.notYet)
      : h('div', { class: 'cards' }, ...cards),
    panels.some(Boolean) ? h('div', { class: 'panels' }, ...panels) : null,
  );
}

registerOffline(() => state.lang);
void boot();
