import { css, html, type TemplateResult } from 'lit';
import {
  ApiProblem,
  type ApiSchemas,
  allPages,
  call,
  type ForecastFigures,
  type WorkspaceClient,
  withoutPredictions,
} from '../api/api-client.js';
import type { operations } from '../api/api-types.js';
import { formatMoney, formatPercent, kpiReason, type WorkspaceStrings } from '../i18n/messages.js';
import { ownerHierarchy } from '../owners/owner-hierarchy.js';
import { cardTableStyles } from '../shared/card-table.js';
import { WorkspaceElement } from '../shared/workspace-element.js';

type KpiResult = ApiSchemas['KpiResult'];
type ForecastAnswer = operations['getForecast']['responses'][200]['content']['application/json'];

/** The first column of the plan: won so far; the forecast columns follow it. */
const wonKpi = { id: 'closing.wonRevenue', label: 'wonSoFar', unit: 'money' } as const;
/** The columns after the forecast: open and weighted pipeline, attainment, coverage. */
const planKpis = [
  wonKpi,
  { id: 'pipeline.openValue', label: 'openPipeline', unit: 'money' },
  { id: 'pipeline.weightedValue', label: 'weightedPipeline', unit: 'money' },
  { id: 'closing.quotaAttainment', label: 'attainment', unit: 'ratio' },
  { id: 'pipeline.coverage', label: 'coverage', unit: 'ratio' },
] as const;

/** A figure: its value, or why there is none. */
interface Figure {
  readonly value: number | null;
  readonly reason: string | null;
}

/** One row of the plan: a rep, a manager's team roll-up, or the total of everyone shown. */
interface PlanRow {
  readonly key: string;
  readonly label: string;
  /** The row's level in the `managerId` tree (0 at the top). */
  readonly depth: number;
  /** A manager's roll-up: their own deals and their reports'. */
  readonly rollup: boolean;
  readonly figures: Readonly<Record<string, Figure>>;
  /** The row's forecast; null with a reason when there is none for it. */
  readonly forecast: ForecastFigures | null;
  readonly forecastReason: string | null;
  /** The chance of reaching the row's quota is below one half (as /predict/plans-at-risk). */
  readonly atRisk: boolean;
}

/** The forecast with its range, and which quotas are at risk; or why there is none. */
type Prediction =
  | {
      readonly kind: 'forecast';
      readonly forecast: ForecastAnswer;
      /** Group keys whose quota is at risk; `@total` for the total. */
      readonly atRisk: ReadonlySet<string>;
    }
  | { readonly kind: 'none'; readonly reason: string | null };

/**
 * The forecast per owner with the quotas at risk. One forecast: `/predict/plans-at-risk` lists
 * the groups whose `quotaAtRisk` is set in this same forecast, and a second simulation would
 * double the wait (loading the deal history dominates). No predict plugin (404): none without a
 * reason (the weighted pipeline stands in); a period the forecast cannot take (422, `all`):
 * none with the reason.
 */
async function loadPrediction(
  api: WorkspaceClient,
  period: string,
  lang: 'en' | 'de',
  t: WorkspaceStrings,
): Promise<Prediction> {
  const query = { period, by: 'owner' as const, lang };
  try {
    const forecast = await withoutPredictions(api.GET('/predict/forecast', { params: { query } }));
    if (!forecast) return { kind: 'none', reason: null };
    const atRisk = [forecast.total, ...forecast.groups].filter((g) => g.quotaAtRisk);
    return { kind: 'forecast', forecast, atRisk: new Set(atRisk.map((g) => g.key ?? '@total')) };
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 400 || error.status === 422))
      return { kind: 'none', reason: t.noPrediction };
    throw error;
  }
}

/**
 * The forecast of a set of owners as one roll-up (its own simulation: ranges do not add up), with
 * the same period and seed as the per-owner forecast; null when the API answers it has none for
 * the set (an owner whose deals the user may not see is 422).
 */
async function loadRollupForecast(
  api: WorkspaceClient,
  period: string,
  lang: 'en' | 'de',
  owners: readonly string[],
): Promise<ForecastFigures | null> {
  const query = { period, lang, owners: owners.join(',') };
  try {
    const answer = await call(api.GET('/predict/forecast', { params: { query } }));
    return answer.total;
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 400 || error.status === 422)) return null;
    throw error;
  }
}

/**
 * `<rapport-forecast-view period="2026-Q3">`: per rep and in total, won so far, the forecast
 * (P50 with its P10–P90 range) against the quota, the chance of reaching the quota with a mark
 * on quotas at risk, then open and weighted pipeline, quota attainment and pipeline coverage
 * (without the predict plugin only these stand in for a forecast). With `owners` set (a manager's
 * team) the rows are the team's and the total is the team's roll-up. Rows follow the users'
 * `managerId` tree, indented; a manager's row is the roll-up of them and their reports, evaluated
 * and forecast over those owners (ratios and percentiles do not add up: one forecast per roll-up,
 * in parallel, same period and seed), their own deals below it. A figure without a basis shows
 * "–" and its reason, never 0.
 *
 * @example
 * <rapport-forecast-view api-base="/api" api-key="rpk_..." period="thisQuarter"></rapport-forecast-view>
 */
export class ForecastView extends WorkspaceElement {
  static override properties = {
    ...WorkspaceElement.properties,
    period: {},
    currency: {},
    owners: { attribute: false },
    rows: { state: true },
    prediction: { state: true },
  };

  static override styles = [
    ...WorkspaceElement.styles,
    cardTableStyles,
    css`
      .reason {
        display: block;
        font-size: 0.75rem;
        color: var(--_muted);
      }
      tr.total td,
      tr.rollup td {
        font-weight: 600;
      }
      th[scope='row'] {
        text-align: start;
        padding-inline-start: calc(0.5rem + var(--depth, 0) * 1.25rem);
      }
      td.number {
        font-variant-numeric: tabular-nums;
      }
      .range {
        display: block;
        font-size: 0.8125rem;
        color: var(--_muted);
      }
      .bar {
        position: relative;
        height: 0.5rem;
        margin-top: 0.375rem;
        border-radius: 0.25rem;
        background: #eceff4;
        min-width: 6rem;
      }
      .bar .band {
        position: absolute;
        top: 0;
        bottom: 0;
        border-radius: 0.25rem;
        background: color-mix(in srgb, var(--_accent) 45%, transparent);
      }
      .bar .p50,
      .bar .quota {
        position: absolute;
        top: -0.1875rem;
        bottom: -0.1875rem;
        width: 2px;
        background: var(--_accent);
      }
      .bar .quota {
        background: var(--_danger);
        width: 3px;
      }
      .at-risk {
        display: inline-block;
        margin-top: 0.25rem;
        padding: 0.125rem 0.5rem;
        border-radius: 999px;
        border: 1px solid var(--_danger);
        color: var(--_danger);
        font-size: 0.75rem;
        font-weight: 600;
      }
      .on-track {
        display: block;
        font-size: 0.75rem;
        color: var(--_muted);
      }
      .secondary {
        color: var(--_muted);
      }
    `,
  ];

  /** A period as the API reads it: 2026-Q3, 2026, thisQuarter, ... */
  declare period: string;
  /** The tenant's base currency. */
  declare currency: string;
  /** Only these owners (a team); everyone when null. */
  declare owners: readonly string[] | null;
  declare rows: PlanRow[];
  declare prediction: Prediction;

  constructor() {
    super();
    this.period = 'thisQuarter';
    this.currency = 'EUR';
    this.owners = null;
    this.rows = [];
    this.prediction = { kind: 'none', reason: null };
  }

  protected override reloadOn(): readonly string[] {
    return [...super.reloadOn(), 'period', 'owners', 'lang'];
  }

  protected override async load(): Promise<void> {
    const catalog = await call(this.api.GET('/kpis'));
    const known = new Set((catalog.kpis ?? []).map((kpi) => kpi.id));
    const ids = planKpis.map((kpi) => kpi.id).filter((id) => known.has(id));
    if (ids.length === 0) {
      this.rows = [];
      return;
    }
    const filters: Record<string, string[]> = this.owners ? { owner: [...this.owners] } : {};
    const body = { ids, period: this.period, compare: false, filters };
    const [total, byOwner, users, prediction] = await Promise.all([
      call(this.api.POST('/kpis/evaluate', { body })),
      call(this.api.POST('/kpis/evaluate', { body: { ...body, by: 'owner' } })),
      allPages((cursor) =>
        this.api.GET('/users', { params: { query: { limit: 1000, sort: 'name', cursor } } }),
      ),
      loadPrediction(this.api, this.period, this.language, this.t),
    ]);
    this.prediction = prediction;
    const groups = new Map(
      prediction.kind === 'forecast'
        ? prediction.forecast.groups.map((g) => [g.key ?? '', g] as const)
        : [],
    );
    const noForecast = prediction.kind === 'none' ? prediction.reason : null;
    /** A rep's forecast, or why there is none. */
    const ofRep = (key: string) => ({
      forecast: groups.get(key) ?? null,
      forecastReason: groups.has(key) ? null : (noForecast ?? this.t.noPrediction),
      atRisk: prediction.kind === 'forecast' && prediction.atRisk.has(key),
    });
    /** A roll-up's own forecast (percentiles do not add up), or why there is none. */
    const ofRollup = (forecast: ForecastFigures | null) => ({
      forecast,
      forecastReason: forecast ? null : (noForecast ?? this.t.rollupNoForecast),
      atRisk: forecast?.quotaAtRisk ?? false,
    });
    const rollupForecast = (owners: readonly string[]) =>
      prediction.kind === 'forecast'
        ? loadRollupForecast(this.api, this.period, this.language, owners)
        : Promise.resolve(null);
    const figure = (result: { value?: number | null; reason?: string | null } | undefined) => ({
      value: result?.value ?? null,
      reason: result?.reason ?? null,
    });
    const reps = new Map<string, { label: string; figures: Record<string, Figure> }>();
    for (const id of ids) {
      const result: KpiResult | undefined = byOwner.results[id];
      for (const row of result?.breakdown ?? []) {
        const key = row.key ?? '';
        const rep = reps.get(key) ?? { label: row.label ?? key, figures: {} };
        rep.figures[id] = figure(row);
        reps.set(key, rep);
      }
    }
    const shown = this.owners ? new Set(this.owners) : null;
    // Reps with a forecast (open deals) but none of the KPI figures.
    for (const [key, group] of groups)
      if (!reps.has(key) && (!shown || shown.has(key)))
        reps.set(key, { label: group.label ?? key, figures: {} });
    const tree = ownerHierarchy(users.filter((user) => !shown || shown.has(user.id)));
    // A manager's roll-up is evaluated and forecast over them and their reports: ratios
    // (attainment, coverage) and percentiles cannot be summed from the rows. All in parallel.
    const [rollups, teamForecast] = await Promise.all([
      Promise.all(
        tree
          .filter((node) => node.reports.length > 0)
          .map(async (node) => {
            const owners = [node.user.id, ...node.reports];
            const [result, forecast] = await Promise.all([
              call(
                this.api.POST('/kpis/evaluate', { body: { ...body, filters: { owner: owners } } }),
              ),
              rollupForecast(owners),
            ]);
            const figures: Record<string, Figure> = {};
            for (const id of ids) figures[id] = figure(result.results[id]);
            return [node.user.id, { figures, ...ofRollup(forecast) }] as const;
          }),
      ),
      // With a team shown, the total is the team's roll-up, forecast over its owners.
      this.owners && this.owners.length > 0 ? rollupForecast(this.owners) : Promise.resolve(null),
    ]);
    const rollupOf = new Map(rollups);
    const rows: PlanRow[] = [];
    for (const node of tree) {
      const own = reps.get(node.user.id);
      reps.delete(node.user.id);
      const team = rollupOf.get(node.user.id);
      if (team) {
        rows.push({
          key: `@team:${node.user.id}`,
          label: `${node.user.name} (${this.t.teamRollup})`,
          depth: node.depth,
          rollup: true,
          ...team,
        });
        if (own)
          rows.push({
            key: node.user.id,
            label: `${node.user.name} (${this.t.ownDeals})`,
            depth: node.depth + 1,
            rollup: false,
            figures: own.figures,
            ...ofRep(node.user.id),
          });
      } else if (own) {
        rows.push({
          key: node.user.id,
          ...own,
          depth: node.depth,
          rollup: false,
          ...ofRep(node.user.id),
        });
      }
    }
    // Owners the user list does not hold (a deal without an owner): at the top level.
    for (const [key, rep] of [...reps.entries()].sort((a, b) =>
      a[1].label.localeCompare(b[1].label),
    ))
      rows.push({ key, ...rep, depth: 0, rollup: false, ...ofRep(key) });
    const totals: Record<string, Figure> = {};
    for (const id of ids) totals[id] = figure(total.results[id]);
    // The per-owner forecast's total is everyone visible: with a team shown, the team's own.
    const totalForecast =
      prediction.kind === 'forecast' && !this.owners
        ? {
            forecast: prediction.forecast.total,
            forecastReason: null,
            atRisk: prediction.atRisk.has('@total'),
          }
        : ofRollup(teamForecast);
    this.rows = [
      ...rows,
      {
        key: '@total',
        label: this.t.total,
        depth: 0,
        rollup: true,
        figures: totals,
        ...totalForecast,
      },
    ];
  }

  private cell(figure: Figure | undefined, unit: 'money' | 'ratio'): TemplateResult {
    if (!figure || figure.value === null) {
      return html`–<span class="reason">${kpiReason(figure?.reason ?? null, this.language)}</span>`;
    }
    return html`${unit === 'money' ? formatMoney(figure.value, this.currency, this.language) : formatPercent(figure.value, this.language)}`;
  }

  /** The money of a forecast figure in its currency. */
  private money(minor: number): string {
    const currency =
      this.prediction.kind === 'forecast' ? this.prediction.forecast.currency : this.currency;
    return formatMoney(Math.round(minor), currency, this.language);
  }

  /** P50 with its P10–P90 range, and a bar of the range with the quota marked. */
  private forecastCell(row: PlanRow): TemplateResult {
    const t = this.t;
    const f = row.forecast;
    if (!f)
      return html`<td class="number" data-label=${t.forecastP50} data-predict="p50" data-value="">
        <div>–<span class="reason">${row.forecastReason ?? ''}</span></div>
      </td>`;
    const scale = Math.max(f.p90, f.quota ?? 0) * 1.05 || 1;
    const at = (value: number) => `${((value / scale) * 100).toFixed(1)}%`;
    return html`<td
      class="number"
      data-label=${t.forecastP50}
      data-predict="p50"
      data-value=${f.p50}
      data-p10=${f.p10}
      data-p90=${f.p90}
    >
      <div>
        <strong>${this.money(f.p50)}</strong>
        <span class="range" data-range>${t.forecastRange(this.money(f.p10), this.money(f.p90))}</span>
        <div class="bar" aria-hidden="true">
          <span class="band" style=${`inset-inline-start: ${at(f.p10)}; width: ${at(f.p90 - f.p10)}`}></span>
          <span class="p50" style=${`inset-inline-start: ${at(f.p50)}`}></span>
          ${f.quota === null ? null : html`<span class="quota" style=${`inset-inline-start: ${at(f.quota)}`}></span>`}
        </div>
      </div>
    </td>`;
  }

  private quotaCells(row: PlanRow): TemplateResult {
    const t = this.t;
    const f = row.forecast;
    const quota =
      !f || f.quota === null
        ? html`–<span class="reason">${f ? kpiReason('no quota in the period', this.language) : ''}</span>`
        : html`${this.money(f.quota)}`;
    const chance =
      !f || f.quotaProbability === null
        ? html`–`
        : html`${formatPercent(Math.round(f.quotaProbability * 100) / 100, this.language)}
            ${
              row.atRisk
                ? html`<span class="at-risk" data-at-risk>⚠ ${t.quotaAtRisk}</span>`
                : html`<span class="on-track">${t.onTrack}</span>`
            }`;
    return html`<td class="number" data-label=${t.quota} data-predict="quota" data-value=${f?.quota ?? ''}>
        <div>${quota}</div>
      </td>
      <td
        class="number"
        data-label=${t.quotaChance}
        data-predict="quotaProbability"
        data-value=${f?.quotaProbability ?? ''}
      >
        <div>${chance}</div>
      </td>`;
  }

  private kpiCell(row: PlanRow, kpi: (typeof planKpis)[number], secondary: boolean) {
    return html`<td
      class=${secondary ? 'number secondary' : 'number'}
      data-label=${this.t[kpi.label]}
      data-kpi=${kpi.id}
      data-value=${row.figures[kpi.id]?.value ?? ''}
    >
      ${this.cell(row.figures[kpi.id], kpi.unit)}
    </td>`;
  }

  protected override renderReady(): TemplateResult {
    const t = this.t;
    const predicted = this.prediction.kind === 'forecast';
    if (
      !predicted &&
      this.rows.length <= 1 &&
      Object.values(this.rows[0]?.figures ?? {}).every((f) => f.value === null)
    ) {
      return html`<p class="empty">${t.emptyForecast}</p>`;
    }
    const rest = planKpis.filter((kpi) => kpi.id !== wonKpi.id);
    const notes =
      this.prediction.kind === 'forecast'
        ? [
            t.forecastModelNote,
            ...(this.prediction.forecast.correlation === null ? [t.independentNote] : []),
            ...(this.prediction.forecast.method === 'stageDefault' ? [t.stageDefaultOnly] : []),
          ]
        : [this.prediction.reason ?? t.forecastNote];
    return html`
      ${notes.map((note) => html`<p class="muted">${note}</p>`)}
      <table>
        <caption class="visually-hidden">${t.forecast}</caption>
        <thead>
          <tr>
            <th scope="col">${t.owner}</th>
            <th scope="col">${t[wonKpi.label]}</th>
            ${
              predicted
                ? html`<th scope="col">${t.forecastP50} <span class="range">${t.rangeLabel}</span></th>
                    <th scope="col">${t.quota}</th>
                    <th scope="col">${t.quotaChance}</th>`
                : null
            }
            ${rest.map((kpi) => html`<th scope="col" class=${predicted ? 'secondary' : ''}>${t[kpi.label]}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${this.rows.map(
            (row) => html`<tr
              class=${row.key === '@total' ? 'total' : row.rollup ? 'rollup' : ''}
              ?data-at-risk=${row.atRisk}
              data-row=${row.key}
              data-depth=${row.depth}
            >
              <th scope="row" data-label=${t.owner} style=${`--depth: ${row.depth}`}>
                ${row.label}
              </th>
              ${this.kpiCell(row, wonKpi, false)}
              ${predicted ? html`${this.forecastCell(row)}${this.quotaCells(row)}` : null}
              ${rest.map((kpi) => this.kpiCell(row, kpi, predicted))}
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}

customElements.define('rapport-forecast-view', ForecastView);

declare global {
  interface HTMLElementTagNameMap {
    'rapport-forecast-view': ForecastView;
  }
}
