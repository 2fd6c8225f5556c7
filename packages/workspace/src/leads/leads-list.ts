import { css, html, type TemplateResult } from 'lit';
import {
  ApiProblem,
  allPages,
  call,
  type Lead,
  type LeadScore,
  type WorkspaceClient,
} from '../api/api-client.js';
import { formatDay, formatPercent, type WorkspaceLang } from '../i18n/messages.js';
import { cardTableStyles } from '../shared/card-table.js';
import { currentElement } from '../shared/current-element.js';
import { asProblem, WorkspaceElement } from '../shared/workspace-element.js';

const sortable = ['lastName', 'company', 'status', 'leadSource', 'createdAt', 'score'] as const;
type LeadSort = (typeof sortable)[number];
const statuses = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
] as const;
const pageSize = 25;
/** Sorting by score is done here over the filtered leads: the list route cannot join the scores. */
const maxScoreSorted = 5000;
/** Reasons shown per lead: the factors that moved its score most. */
const shownReasons = 3;

/** A score as a whole percent: a lead score is not precise to a tenth. */
function percent(value: number, lang: WorkspaceLang): string {
  return formatPercent(Math.round(value * 100) / 100, lang);
}

/**
 * Every stored score of the visible leads by lead id, reasons in the language; null when the
 * server has no predictions (the predict plugin is not installed).
 */
async function leadScores(
  api: WorkspaceClient,
  lang: WorkspaceLang,
): Promise<Map<string, LeadScore> | null> {
  try {
    const scores = await allPages((cursor) =>
      api.GET('/predict/lead-scores', {
        params: { query: { limit: 1000, lang, ...(cursor ? { cursor } : {}) } },
      }),
    );
    return new Map(scores.map((score) => [score.leadId, score]));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return null;
    throw error;
  }
}

/**
 * `<rapport-leads-list>`: leads, sortable by a column header, filterable by status and source,
 * paged; each open lead can be converted (account, contact and opportunity in one transaction).
 * With the predict plugin, each lead shows its score (the chance it converts) and the factors
 * that moved it most, and the list sorts by score (`sort="-score"`); a score from the fallback
 * (the lead source's rate, too little history for a model) shows as approximate with its
 * interval, and a lead without a score shows "–" with why.
 * `sort`, `status` and `source` are attributes, so a host can keep them in its URL.
 *
 * Events: `rapport-lead-converted` ({ lead, opportunity }), `rapport-filters-changed`.
 *
 * @example
 * <rapport-leads-list api-base="/api" api-key="rpk_..." sort="-createdAt"></rapport-leads-list>
 */
export class LeadsList extends WorkspaceElement {
  static override properties = {
    ...WorkspaceElement.properties,
    sort: { reflect: true },
    status: { reflect: true },
    source: { reflect: true },
    owners: { attribute: false },
    leads: { state: true },
    cursors: { state: true },
    next: { state: true },
    converting: { state: true },
    rowProblem: { state: true },
    scores: { state: true },
  };

  static override styles = [
    ...WorkspaceElement.styles,
    cardTableStyles,
    css`
      .converted {
        color: var(--_muted);
      }
      .reason {
        display: block;
        font-size: 0.75rem;
        color: var(--_muted);
      }
      ul.reasons {
        margin: 0;
        padding-inline-start: 1rem;
        font-size: 0.8125rem;
      }
      ul.reasons li + li {
        margin-top: 0.125rem;
      }
      td.score {
        font-variant-numeric: tabular-nums;
      }
      td.score strong {
        white-space: nowrap;
      }
    `,
  ];

  /** A lead field, `-` first for descending. */
  declare sort: string;
  /** Only leads with this status; all when empty. */
  declare status: string;
  /** Only leads from this source; all when empty. */
  declare source: string;
  /** Only these owners' leads (a rep, a team, or a manager with their reports); all when null. */
  declare owners: readonly string[] | null;
  declare leads: Lead[];
  /** The cursors of the pages before the current one. */
  declare cursors: (string | undefined)[];
  declare next: string | null;
  declare converting: string | null;
  declare rowProblem: { id: string; problem: ApiProblem } | null;
  /** Scores by lead id; null without predictions. */
  declare scores: Map<string, LeadScore> | null;
  /**
   * What the scores were loaded for: they are loaded once per language and client, not per page
   * or filter (they change when the leads are scored again, not through this list).
   */
  private scoresIn: { lang: WorkspaceLang; client: WorkspaceClient } | null = null;
  private sources: string[] = [];
  private userNames = new Map<string, string>();
  private cursor: string | undefined;

  constructor() {
    super();
    this.sort = '-createdAt';
    this.status = '';
    this.source = '';
    this.owners = null;
    this.leads = [];
    this.cursors = [];
    this.next = null;
    this.converting = null;
    this.rowProblem = null;
    this.scores = null;
  }

  protected override reloadOn(): readonly string[] {
    // The language too: the reasons come from the server in it.
    return [...super.reloadOn(), 'sort', 'status', 'source', 'owners', 'lang'];
  }

  protected override async load(): Promise<void> {
    const field = this.sort.replace(/^-/, '');
    // Cast: testing an arbitrary field name against the sortable ones.
    const sort = sortable.includes(field as LeadSort) ? this.sort : '-createdAt';
    const byScore = field === 'score';
    // The list route takes field[operator]=value; the generated query type names plain fields.
    const ownerFilter: Record<string, string> = this.owners
      ? { 'ownerId[in]': this.owners.join(',') }
      : {};
    if (this.owners?.length === 0) {
      this.leads = [];
      this.next = null;
      return;
    }
    const filters = {
      ...ownerFilter,
      ...(this.status ? { status: this.status } : {}),
      ...(this.source ? { leadSource: this.source } : {}),
    };
    const [scores, page, users] = await Promise.all([
      this.scoresIn?.lang === this.language && this.scoresIn.client === this.api
        ? this.scores
        : leadScores(this.api, this.language),
      byScore
        ? null
        : call(
            this.api.GET('/leads', {
              params: {
                query: {
                  sort,
                  limit: pageSize,
                  ...filters,
                  ...(this.cursor ? { cursor: this.cursor } : {}),
                },
              },
            }),
          ),
      this.userNames.size > 0
        ? Promise.resolve([])
        : allPages((cursor) =>
            this.api.GET('/users', { params: { query: { limit: 1000, sort: 'name', cursor } } }),
          ),
    ]);
    if (users.length > 0) this.userNames = new Map(users.map((u) => [u.id, u.name]));
    this.scores = scores;
    this.scoresIn = { lang: this.language, client: this.api };
    if (page) {
      this.leads = page.items;
      this.next = page.nextCursor;
    } else {
      await this.loadByScore(filters, this.sort.startsWith('-'));
    }
    if (this.sources.length === 0) {
      const kpis = await call(
        this.api.POST('/kpis/evaluate', {
          body: { ids: ['leads.newLeads'], period: 'all', by: 'leadSource', compare: false },
        }),
      ).catch(() => null);
      this.sources = (kpis?.results['leads.newLeads']?.breakdown ?? [])
        .map((row) => row.key ?? '')
        .filter((key) => key !== '')
        .sort();
    }
  }

  /**
   * A page of the filtered leads by score (the cursor is the offset): unscored leads last in
   * both directions, ties by id so pages do not overlap.
   */
  private async loadByScore(filters: Record<string, string>, descending: boolean): Promise<void> {
    const scores = this.scores ?? new Map<string, LeadScore>();
    const all = await allPages(
      (cursor) =>
        this.api.GET('/leads', {
          params: {
            query: { sort: 'createdAt', limit: 1000, ...filters, ...(cursor ? { cursor } : {}) },
          },
        }),
      maxScoreSorted,
    );
    const sign = descending ? -1 : 1;
    all.sort((a, b) => {
      const pa = scores.get(a.id)?.probability;
      const pb = scores.get(b.id)?.probability;
      if (pa === undefined || pb === undefined)
        return (pa === undefined ? 1 : 0) - (pb === undefined ? 1 : 0) || a.id.localeCompare(b.id);
      return sign * (pa - pb) || a.id.localeCompare(b.id);
    });
    const offset = Number(this.cursor ?? '0') || 0;
    this.leads = all.slice(offset, offset + pageSize);
    this.next = offset + pageSize < all.length ? String(offset + pageSize) : null;
  }

  private setFilter(change: Partial<Pick<LeadsList, 'sort' | 'status' | 'source'>>): void {
    this.cursor = undefined;
    this.cursors = [];
    Object.assign(this, change);
    this.dispatchEvent(
      new CustomEvent('rapport-filters-changed', {
        detail: { sort: this.sort, status: this.status, source: this.source },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private page(direction: 1 | -1): void {
    if (direction === 1 && this.next) {
      this.cursors = [...this.cursors, this.cursor];
      this.cursor = this.next;
    } else if (direction === -1 && this.cursors.length > 0) {
      this.cursor = this.cursors.at(-1);
      this.cursors = this.cursors.slice(0, -1);
    }
    void this.reload();
  }

  protected override renderReady(): TemplateResult {
    const t = this.t;
    const lang = this.language;
    const header = (field: LeadSort, label: string) => {
      const current = this.sort.replace(/^-/, '') === field;
      const descending = this.sort.startsWith('-');
      return html`<th
        scope="col"
        aria-sort=${current ? (descending ? 'descending' : 'ascending') : 'none'}
      >
        <button
          type="button"
          data-sort=${field}
          @click=${() => this.setFilter({ sort: current && !descending ? `-${field}` : field })}
        >
          ${label} ${current ? (descending ? '↓' : '↑') : ''}
        </button>
      </th>`;
    };
    return html`
      <div class="filters">
        <label>
          ${t.status}
          <select
            name="status"
            .value=${this.status}
            @change=${(e: Event) => this.setFilter({ status: currentElement(e, HTMLSelectElement).value })}
          >
            <option value="">${t.allStatuses}</option>
            ${statuses.map((s) => html`<option value=${s} ?selected=${s === this.status}>${s}</option>`)}
          </select>
        </label>
        <label>
          ${t.source}
          <select
            name="source"
            @change=${(e: Event) => this.setFilter({ source: currentElement(e, HTMLSelectElement).value })}
          >
            <option value="">${t.allSources}</option>
            ${this.sources.map((s) => html`<option value=${s} ?selected=${s === this.source}>${s}</option>`)}
          </select>
        </label>
      </div>
      ${
        this.leads.length === 0
          ? html`<p class="empty">${t.emptyLeads}</p>`
          : html`<table>
              <caption class="visually-hidden">${t.leads}</caption>
              <thead>
                <tr>
                  ${header('lastName', t.name)} ${header('company', t.company)}
                  ${header('status', t.status)} ${header('leadSource', t.source)}
                  ${header('createdAt', t.created)}
                  <th scope="col">${t.owner}</th>
                  ${
                    this.scores
                      ? html`${header('score', t.score)}<th scope="col">${t.scoreWhy}</th>`
                      : null
                  }
                  <th scope="col"><span class="visually-hidden">${t.convert}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.leads.map((lead) => this.renderRow(lead, lang))}
              </tbody>
            </table>`
      }
      <div class="pager">
        <button type="button" ?disabled=${this.cursors.length === 0} @click=${() => this.page(-1)}>
          ${t.previous}
        </button>
        <span>${t.page} ${this.cursors.length + 1}</span>
        <button type="button" ?disabled=${!this.next} @click=${() => this.page(1)}>${t.next}</button>
      </div>
    `;
  }

  private renderRow(lead: Lead, lang: 'en' | 'de'): TemplateResult {
    const t = this.t;
    const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
    const converted = lead.status === 'Closed - Converted';
    const problem = this.rowProblem?.id === lead.id ? this.rowProblem.problem : null;
    return html`<tr data-lead=${lead.id} data-owner=${lead.ownerId ?? ''}>
      <td data-label=${t.name}>${name}</td>
      <td data-label=${t.company}>${lead.company}</td>
      <td data-label=${t.status} data-field="status">${lead.status}</td>
      <td data-label=${t.source}>${lead.leadSource ?? '–'}</td>
      <td data-label=${t.created}>${formatDay(lead.createdAt, lang)}</td>
      <td data-label=${t.owner} data-field="owner">${this.userNames.get(lead.ownerId ?? '') ?? '–'}</td>
      ${this.scores ? this.renderScore(lead, lang) : null}
      <td data-label="">
        ${
          converted
            ? html`<span class="converted">${t.converted}</span>`
            : html`<button
                type="button"
                data-convert=${lead.id}
                aria-label=${`${t.convert}: ${name}`}
                ?disabled=${this.converting === lead.id}
                @click=${() => void this.convert(lead)}
              >
                ${t.convert}
              </button>`
        }
        ${problem ? this.renderProblem(problem, () => void this.convert(lead)) : null}
      </td>
    </tr>`;
  }

  /** The score and reasons cells: a model's score, the fallback with its interval, or why none. */
  private renderScore(lead: Lead, lang: WorkspaceLang): TemplateResult {
    const t = this.t;
    const score = this.scores?.get(lead.id);
    if (!score) {
      const closed = lead.status.startsWith('Closed');
      return html`<td class="score" data-label=${t.score} data-field="score" data-score="">
          <div>–<span class="reason">${closed ? t.closedNotScored : t.notScored}</span></div>
        </td>
        <td data-label=${t.scoreWhy} data-field="reasons"></td>`;
    }
    const fallback = score.method === 'sourceRate';
    const interval =
      fallback && score.lower !== null && score.upper !== null
        ? t.sourceRate(percent(score.lower, lang), percent(score.upper, lang))
        : null;
    return html`<td
        class="score"
        data-label=${t.score}
        data-field="score"
        data-score=${score.probability}
        data-method=${score.method}
      >
        <div>
          <strong>${fallback ? '≈ ' : ''}${percent(score.probability, lang)}</strong>
          ${interval ? html`<span class="reason">${interval}</span>` : null}
        </div>
      </td>
      <td data-label=${t.scoreWhy} data-field="reasons">
        ${
          score.reasons.length > 0
            ? html`<ul class="reasons">
                ${score.reasons.slice(0, shownReasons).map((reason) => html`<li>${reason}</li>`)}
              </ul>`
            : html`<span class="reason">${fallback ? t.sourceRateWhy : ''}</span>`
        }
      </td>`;
  }

  /** Converts a lead; the row then shows it converted. */
  async convert(lead: Lead): Promise<void> {
    this.converting = lead.id;
    this.rowProblem = null;
    try {
      const result = await call(
        this.api.POST('/leads/{id}/convert', { params: { path: { id: lead.id } }, body: {} }),
      );
      this.leads = this.leads.map((l) => (l.id === lead.id ? result.lead : l));
      this.dispatchEvent(
        new CustomEvent('rapport-lead-converted', {
          detail: { lead: result.lead, opportunity: result.opportunity },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      this.rowProblem = { id: lead.id, problem: asProblem(error) };
    } finally {
      this.converting = null;
    }
  }
}

customElements.define('rapport-leads-list', LeadsList);

declare global {
  interface HTMLElementTagNameMap {
    'rapport-leads-list': LeadsList;
  }
}
