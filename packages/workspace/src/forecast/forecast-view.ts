import { css, html, type TemplateResult } from 'lit';
import { type ApiSchemas, call } from '../api/api-client.js';
import { formatMoney, formatPercent, kpiReason } from '../i18n/messages.js';
import { cardTableStyles } from '../shared/card-table.js';
import { WorkspaceElement } from '../shared/workspace-element.js';

type KpiResult = ApiSchemas['KpiResult'];

/** The columns of the plan: won so far, open and weighted pipeline, attainment, coverage. */
const planKpis = [
  { id: 'closing.wonRevenue', label: 'wonSoFar', unit: 'money' },
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

/** One row of the plan: a rep, or the total of everyone shown. */
interface PlanRow {
  readonly key: string;
  readonly label: string;
  readonly figures: Readonly<Record<string, Figure>>;
}

/**
 * `<rapport-forecast-view period="2026-Q3">`: per rep and in total, won so far, open and
 * weighted pipeline, quota attainment and pipeline coverage for a period (weighted pipeline and
 * coverage stand in for a forecast until predictions land). With `owners` set (a manager's
 * team) the rows are the team's and the total is the team's roll-up. A figure without a basis
 * shows "–" and its reason, never 0.
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
      tr.total td {
        font-weight: 600;
      }
      td.number {
        font-variant-numeric: tabular-nums;
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

  constructor() {
    super();
    this.period = 'thisQuarter';
    this.currency = 'EUR';
    this.owners = null;
    this.rows = [];
  }

  protected override reloadOn(): readonly string[] {
    return [...super.reloadOn(), 'period', 'owners'];
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
    const [total, byOwner] = await Promise.all([
      call(this.api.POST('/kpis/evaluate', { body })),
      call(this.api.POST('/kpis/evaluate', { body: { ...body, by: 'owner' } })),
    ]);
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
    const totals: Record<string, Figure> = {};
    for (const id of ids) totals[id] = figure(total.results[id]);
    this.rows = [
      ...[...reps.entries()]
        .map(([key, rep]) => ({ key, ...rep }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      { key: '@total', label: this.t.total, figures: totals },
    ];
  }

  private cell(figure: Figure | undefined, unit: 'money' | 'ratio'): TemplateResult {
    if (!figure || figure.value === null) {
      return html`–<span class="reason">${kpiReason(figure?.reason ?? null, this.language)}</span>`;
    }
    return html`${unit === 'money' ? formatMoney(figure.value, this.currency, this.language) : formatPercent(figure.value, this.language)}`;
  }

  protected override renderReady(): TemplateResult {
    const t = this.t;
    if (
      this.rows.length <= 1 &&
      Object.values(this.rows[0]?.figures ?? {}).every((f) => f.value === null)
    ) {
      return html`<p class="empty">${t.emptyForecast}</p>`;
    }
    return html`
      <p class="muted">${t.forecastNote}</p>
      <table>
        <caption class="visually-hidden">${t.forecast}</caption>
        <thead>
          <tr>
            <th scope="col">${t.owner}</th>
            ${planKpis.map((kpi) => html`<th scope="col">${t[kpi.label]}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${this.rows.map(
            (row) => html`<tr class=${row.key === '@total' ? 'total' : ''} data-row=${row.key}>
              <td data-label=${t.owner}>${row.label}</td>
              ${planKpis.map(
                (kpi) =>
                  html`<td class="number" data-label=${t[kpi.label]} data-kpi=${kpi.id}>
                    ${this.cell(row.figures[kpi.id], kpi.unit)}
                  </td>`,
              )}
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
