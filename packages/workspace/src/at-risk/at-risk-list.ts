import { css, html, type TemplateResult } from 'lit';
import { type PredictDeal, withoutPredictions } from '../api/api-client.js';
import { formatDay, formatMoney, formatPercent } from '../i18n/messages.js';
import { cardTableStyles } from '../shared/card-table.js';
import { type AtRiskDeal, loadAtRiskDeals } from '../shared/risk-reasons.js';
import { WorkspaceElement } from '../shared/workspace-element.js';

const pageSize = 20;

/**
 * `<rapport-at-risk-list>`: every open deal the planning check flags (past close date, no next
 * step, no recent activity), paged, with its reasons and a link that opens the deal. With the
 * predict plugin each deal also shows its learned win probability and the reasons its plan looks
 * unrealistic (close date moved out, long in the stage, ...).
 *
 * Events: `rapport-open-deal` ({ id }).
 *
 * @example
 * <rapport-at-risk-list api-base="/api" api-key="rpk_..." currency="EUR"></rapport-at-risk-list>
 */
export class AtRiskList extends WorkspaceElement {
  static override properties = {
    ...WorkspaceElement.properties,
    currency: {},
    owners: { attribute: false },
    page: { type: Number, reflect: true },
    deals: { state: true },
    predictions: { state: true },
  };

  static override styles = [
    ...WorkspaceElement.styles,
    cardTableStyles,
    css`
      .plan-risk {
        display: block;
        color: var(--_danger);
        font-size: 0.8125rem;
      }
      .note {
        display: block;
        color: var(--_muted);
        font-size: 0.75rem;
      }
    `,
  ];

  /** The tenant's base currency (the amounts are in it). */
  declare currency: string;
  /** Only these owners' deals (a team filter); everyone's when null. */
  declare owners: readonly string[] | null;
  /** The page shown, from 1. */
  declare page: number;
  declare deals: AtRiskDeal[];
  /** Learned win probabilities and plan risks by deal id; null without predictions. */
  declare predictions: Map<string, PredictDeal> | null;

  constructor() {
    super();
    this.currency = 'EUR';
    this.owners = null;
    this.page = 1;
    this.deals = [];
    this.predictions = null;
  }

  protected override reloadOn(): readonly string[] {
    return [...super.reloadOn(), 'owners', 'lang'];
  }

  protected override async load(): Promise<void> {
    const [deals, predicted] = await Promise.all([
      loadAtRiskDeals(this.api, this.owners ? { owner: [...this.owners] } : {}),
      withoutPredictions(
        this.api.GET('/predict/deals', { params: { query: { lang: this.language } } }),
      ),
    ]);
    this.deals = deals;
    this.predictions = predicted ? new Map(predicted.items.map((d) => [d.id, d])) : null;
  }

  protected override renderReady(): TemplateResult {
    const t = this.t;
    const lang = this.language;
    if (this.deals.length === 0) return html`<p class="empty">${t.emptyAtRisk}</p>`;
    const pages = Math.ceil(this.deals.length / pageSize);
    const page = Math.min(Math.max(1, this.page), pages);
    const shown = this.deals.slice((page - 1) * pageSize, page * pageSize);
    return html`
      <p class="muted" data-count=${this.deals.length}>${this.deals.length} ${t.deals}</p>
      <table>
        <caption class="visually-hidden">${t.atRisk}</caption>
        <thead>
          <tr>
            <th scope="col">${t.name}</th>
            <th scope="col">${t.owner}</th>
            <th scope="col">${t.stage}</th>
            <th scope="col">${t.amount}</th>
            <th scope="col">${t.closeDate}</th>
            ${this.predictions ? html`<th scope="col">${t.winChance}</th>` : null}
            <th scope="col">${t.reasons}</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (deal) => html`<tr data-deal=${deal.id}>
              <td data-label=${t.name}>
                <a
                  href=${`?view=board&deal=${encodeURIComponent(deal.id)}`}
                  @click=${(event: MouseEvent) => {
                    event.preventDefault();
                    this.dispatchEvent(
                      new CustomEvent('rapport-open-deal', {
                        detail: { id: deal.id },
                        bubbles: true,
                        composed: true,
                      }),
                    );
                  }}
                  >${deal.name}</a
                >
              </td>
              <td data-label=${t.owner}>${deal.ownerName ?? '–'}</td>
              <td data-label=${t.stage}>${deal.stage}</td>
              <td data-label=${t.amount}>${formatMoney(deal.amount, this.currency, lang)}</td>
              <td data-label=${t.closeDate}>${formatDay(deal.closeDate, lang)}</td>
              ${this.predictions ? this.renderWinChance(deal.id) : null}
              <td data-label=${t.reasons}>
                <div>
                  ${deal.issues.map((issue) => t.riskReasons[issue] ?? issue).join(', ')}
                  ${(this.predictions?.get(deal.id)?.risks ?? []).map(
                    (risk) =>
                      html`<span class="plan-risk" data-risk=${risk.kind}>${risk.text}</span>`,
                  )}
                </div>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label=${t.atRisk}>
        <button type="button" ?disabled=${page <= 1} @click=${() => this.goTo(page - 1)}>
          ${t.previous}
        </button>
        <span data-page=${page}>${t.page} ${page} ${t.of} ${pages}</span>
        <button type="button" ?disabled=${page >= pages} @click=${() => this.goTo(page + 1)}>
          ${t.next}
        </button>
      </nav>
    `;
  }

  private renderWinChance(id: string): TemplateResult {
    const t = this.t;
    const p = this.predictions?.get(id);
    return html`<td data-label=${t.winChance} data-field="win-probability" data-value=${p?.winProbability ?? ''}>
      ${p ? formatPercent(Math.round(p.winProbability * 100) / 100, this.language) : '–'}
      ${p?.method === 'stageDefault' ? html`<span class="note">${t.stageDefault}</span>` : null}
    </td>`;
  }

  private goTo(page: number): void {
    this.page = page;
    this.dispatchEvent(
      new CustomEvent('rapport-page-changed', { detail: { page }, bubbles: true, composed: true }),
    );
  }
}

customElements.define('rapport-at-risk-list', AtRiskList);

declare global {
  interface HTMLElementTagNameMap {
    'rapport-at-risk-list': AtRiskList;
  }
}
