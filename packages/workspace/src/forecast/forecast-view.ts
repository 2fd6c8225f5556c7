import { css, html, type TemplateResult } from 'lit';
import { type ApiSchemas, allPages, call } from '../api/api-client.js';
import { formatMoney, formatPercent, kpiReason } from '../i18n/messages.js';
import { ownerHierarchy } from '../owners/owner-hierarchy.js';
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

/** One row of the plan: a rep, a manager's team roll-up, or the total of everyone shown. */
interface PlanRow {
  readonly key: string;
  readonly label: string;
  /** The row's level in the `managerId` tree (0 at the top). */
  readonly depth: number;
  /** A manager's roll-up: their own deals and their reports'. */
  readonly rollup: boolean;
  readonly figures: Readonly<Record<string, Figure>>;
}

/**
 * `<rapport-forecast-view period="2026-Q3">`: per rep and in total, won so far, open and
 * weighted pipeline, quota attainment and pipeline coverage for a period (weighted pipeline and
 * coverage stand in for a forecast until predictions land). With `owners` set (a manager's
 * team) the rows are the team's and the total is the team's roll-up. Rows follow the users'
 * `managerId` tree, indented; a manager's row is the roll-up of them and their reports (evaluated
 * over those owners, as ratios do not add up), their own deals below it. A figure without a basis
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
    const [total, byOwner, users] = await Promise.all([
      call(this.api.POST('/kpis/evaluate', { body })),
      call(this.api.POST('/kpis/evaluate', { body: { ...body, by: 'owner' } })),
      allPages((cursor) =>
        this.api.GET('/users', { params: { query: { limit: 1000, sort: 'name', cursor } } }),
      ),
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
    const shown = this.owners ? new Set(this.owners) : null;
    const tree = ownerHierarchy(users.filter((user) => !shown || shown.has(user.id)));
    // A manager's roll-up is evaluated over them and their reports: ratios (attainment,
    // coverage) cannot be summed from the rows.
    const rollups = await Promise.all(
      tree
        .filter((node) => node.reports.length > 0)
        .map(async (node) => {
          const result = await call(
            this.api.POST('/kpis/evaluate', {
              body: { ...body, filters: { owner: [node.user.id, ...node.reports] } },
            }),
          );
          const figures: Record<string, Figure> = {};
          for (const id of ids) figures[id] = figure(result.results[id]);
          return [node.user.id, figures] as const;
        }),
    );
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
          figures: team,
        });
        if (own)
          rows.push({
            key: node.user.id,
            label: `${node.user.name} (${this.t.ownDeals})`,
            depth: node.depth + 1,
            rollup: false,
            figures: own.figures,
          });
      } else if (own) {
        rows.push({ key: node.user.id, ...own, depth: node.depth, rollup: false });
      }
    }
    // Owners the user list does not hold (a deal without an owner): at the top level.
    for (const [key, rep] of [...reps.entries()].sort((a, b) =>
      a[1].label.localeCompare(b[1].label),
    ))
      rows.push({ key, ...rep, depth: 0, rollup: false });
    const totals: Record<string, Figure> = {};
    for (const id of ids) totals[id] = figure(total.results[id]);
    this.rows = [
      ...rows,
      { key: '@total', label: this.t.total, depth: 0, rollup: true, figures: totals },
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
            (row) => html`<tr
              class=${row.key === '@total' ? 'total' : row.rollup ? 'rollup' : ''}
              data-row=${row.key}
              data-depth=${row.depth}
            >
              <th scope="row" data-label=${t.owner} style=${`--depth: ${row.depth}`}>
                ${row.label}
              </th>
              ${planKpis.map(
                (kpi) =>
                  html`<td
                    class="number"
                    data-label=${t[kpi.label]}
                    data-kpi=${kpi.id}
                    data-value=${row.figures[kpi.id]?.value ?? ''}
                  >
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
