import { css, html, type TemplateResult } from 'lit';
// Keyed cards: a moved or closed card's element goes with its deal, so the focus stays right.
import { repeat } from 'lit/directives/repeat.js';
import {
  type ApiProblem,
  allPages,
  call,
  ifMatch,
  type Opportunity,
  type Pipeline,
} from '../api/api-client.js';
import { formatDay, formatMoney, problemMessage } from '../i18n/messages.js';
import { currentElement } from '../shared/current-element.js';
import { loadRiskReasons } from '../shared/risk-reasons.js';
import { asProblem, WorkspaceElement } from '../shared/workspace-element.js';
import { type BoardColumn, boardColumns } from './board-columns.js';

const cardsPerColumn = 30;

/**
 * `<rapport-pipeline-board>`: a pipeline's open stages as columns (count, value, weighted value)
 * with a card per deal (amount, close date, owner, risk marks). Drag a card to another column,
 * or use its menu (phones, keyboards); closing asks won or lost. Every move goes through the
 * API with If-Match; when the deal changed meanwhile the card shows the newer version.
 *
 * Events: `rapport-open-deal` ({ id }) when a deal's name is chosen, `rapport-deal-changed`
 * ({ deal }) after a move or close.
 *
 * @example
 * <rapport-pipeline-board api-base="/api" api-key="rpk_..." lang="de"></rapport-pipeline-board>
 */
export class PipelineBoard extends WorkspaceElement {
  static override properties = {
    ...WorkspaceElement.properties,
    pipelineId: { attribute: 'pipeline-id' },
    owners: { attribute: false },
    deals: { state: true },
    pipeline: { state: true },
    conflicts: { state: true },
    actionProblem: { state: true },
    closing: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    ...WorkspaceElement.styles,
    css`
      .columns {
        display: grid;
        grid-auto-flow: column;
        grid-auto-columns: minmax(16rem, 1fr);
        gap: 0.75rem;
        overflow-x: auto;
        padding-bottom: 0.5rem;
      }
      .column {
        background: #f3f5f9;
        border-radius: var(--_radius);
        padding: 0.5rem;
        display: grid;
        align-content: start;
        gap: 0.5rem;
        min-height: 8rem;
      }
      .column.over {
        outline: 3px dashed var(--_accent);
      }
      .column h3 {
        margin: 0;
        font-size: 1rem;
      }
      .sums {
        font-size: 0.8125rem;
        color: var(--_muted);
        display: flex;
        flex-wrap: wrap;
        gap: 0 0.75rem;
      }
      .card {
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem;
        display: grid;
        gap: 0.25rem;
      }
      .card[draggable='true'] {
        cursor: grab;
      }
      .card .name {
        text-align: start;
        border: none;
        padding: 0;
        font-weight: 600;
        background: none;
        color: var(--_accent);
        text-decoration: underline;
      }
      .facts {
        display: flex;
        flex-wrap: wrap;
        gap: 0 0.75rem;
        font-size: 0.875rem;
      }
      .risk {
        color: var(--_warning);
        font-size: 0.8125rem;
      }
      .conflict {
        border: 1px solid var(--_warning);
        border-radius: var(--_radius);
        padding: 0.25rem 0.5rem;
        font-size: 0.8125rem;
        background: #fff7e6;
      }
      .close-zone {
        border: 2px dashed var(--_border);
        display: grid;
        place-items: start center;
        padding-top: 2rem;
        color: var(--_muted);
        min-height: 8rem;
        border-radius: var(--_radius);
      }
      dialog {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        max-width: min(28rem, 92vw);
      }
      dialog form {
        display: grid;
        gap: 0.75rem;
      }
      fieldset {
        border: none;
        padding: 0;
        display: flex;
        gap: 1rem;
      }
      fieldset label {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 44px;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        justify-content: flex-end;
      }
      @media (max-width: 640px) {
        .columns {
          grid-auto-flow: row;
          grid-auto-columns: auto;
        }
        .close-zone {
          display: none;
        }
        .card[draggable='true'] {
          cursor: auto;
        }
      }
    `,
  ];

  /** The pipeline to show; the first one when not set. */
  declare pipelineId: string | undefined;
  /** Only these owners' deals (a team filter); everyone's when null. */
  declare owners: readonly string[] | null;
  declare deals: Opportunity[];
  declare pipeline: Pipeline | undefined;
  declare conflicts: ReadonlyMap<string, Opportunity>;
  declare actionProblem: ApiProblem | null;
  declare closing: Opportunity | null;
  /** What the live region last said: a move, a close, a conflict. */
  declare announcement: string;
  /** The card to focus once the board has drawn again (keyboard moves keep the focus). */
  private focusAfter: string | null = null;
  /** The card the close dialog gives the focus back to. */
  private returnTo: string | null = null;
  private userNames = new Map<string, string>();
  private risks = new Map<string, readonly string[]>();
  private dragged: string | null = null;

  constructor() {
    super();
    this.owners = null;
    this.deals = [];
    this.conflicts = new Map();
    this.actionProblem = null;
    this.closing = null;
    this.announcement = '';
  }

  protected override reloadOn(): readonly string[] {
    return [...super.reloadOn(), 'pipelineId'];
  }

  protected override async load(): Promise<void> {
    const api = this.api;
    const [pipelines, users] = await Promise.all([
      call(api.GET('/pipelines', { params: { query: { limit: 100 } } })),
      allPages((cursor) =>
        api.GET('/users', { params: { query: { limit: 1000, sort: 'name', cursor } } }),
      ),
    ]);
    this.userNames = new Map(users.map((user) => [user.id, user.name]));
    const open = await allPages((cursor) =>
      api.GET('/opportunities', {
        params: { query: { status: 'open', limit: 1000, sort: '-amount', cursor } },
      }),
    );
    // Without a chosen pipeline: the one with the most open deals.
    const counts = new Map<string, number>();
    for (const deal of open)
      counts.set(deal.pipelineId ?? '', (counts.get(deal.pipelineId ?? '') ?? 0) + 1);
    const pipeline =
      pipelines.items.find((p) => p.id === this.pipelineId) ??
      [...pipelines.items].sort((a, b) => (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0))[0];
    this.pipeline = pipeline;
    this.deals = open.filter((deal) => deal.pipelineId === pipeline?.id);
    this.risks = await loadRiskReasons(api);
  }

  private visibleDeals(): Opportunity[] {
    const owners = this.owners ? new Set(this.owners) : null;
    return owners ? this.deals.filter((deal) => owners.has(deal.ownerId ?? '')) : this.deals;
  }

  protected override renderReady(): TemplateResult {
    const t = this.t;
    if (!this.pipeline) return html`<p class="empty">${t.emptyBoard}</p>`;
    const columns = boardColumns(this.pipeline, this.visibleDeals());
    const problem = this.actionProblem;
    return html`
      ${problem ? this.renderProblem(problem, () => this.reload()) : null}
      ${columns.every((c) => c.count === 0) ? html`<p class="empty">${t.emptyBoard}</p>` : null}
      <div class="columns" role="list" aria-label=${`${t.board}: ${this.pipeline.name}`}>
        ${columns.map((column) => this.renderColumn(column, columns))}
        <div
          class="close-zone"
          role="listitem"
          data-drop="close"
          @dragover=${(event: DragEvent) => event.preventDefault()}
          @drop=${(event: DragEvent) => {
            event.preventDefault();
            const deal = this.deals.find((d) => d.id === this.dragged);
            if (deal) this.askClose(deal);
          }}
        >
          ${t.closeZone}
        </div>
      </div>
      ${this.renderCloseDialog()}
      <p id="card-hint" class="visually-hidden">${t.cardHint}</p>
      <p class="visually-hidden" role="status" aria-live="polite" data-live>${this.announcement}</p>
    `;
  }

  protected override updated(): void {
    const id = this.focusAfter;
    if (!id) return;
    this.focusAfter = null;
    this.renderRoot.querySelector<HTMLElement>(`article[data-deal="${CSS.escape(id)}"]`)?.focus();
  }

  /** Moves the focus to a deal's card (a host calls it when the drawer closes). */
  focusDeal(id: string): void {
    this.focusAfter = id;
    this.requestUpdate();
  }

  /**
   * Keys on a focused card: left and right move the deal to the previous or next stage (right
   * past the last open stage asks to close it), Enter opens it. Keys on the card's own controls
   * are theirs.
   */
  private onCardKey(
    event: KeyboardEvent,
    deal: Opportunity,
    columns: readonly BoardColumn[],
  ): void {
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey)
      return;
    const index = columns.findIndex((c) => c.stage === deal.stage);
    if (event.key === 'Enter') {
      event.preventDefault();
      this.openDeal(deal.id);
    } else if (event.key === 'ArrowRight') {
      event.preventDefault();
      const next = columns[index + 1];
      if (next) void this.move(deal, next.stage).then(() => this.focusDeal(deal.id));
      else this.askClose(deal);
    } else if (event.key === 'ArrowLeft') {
      const previous = columns[index - 1];
      if (!previous) return;
      event.preventDefault();
      void this.move(deal, previous.stage).then(() => this.focusDeal(deal.id));
    }
  }

  private openDeal(id: string): void {
    this.dispatchEvent(
      new CustomEvent('rapport-open-deal', { detail: { id }, bubbles: true, composed: true }),
    );
  }

  private renderColumn(column: BoardColumn, columns: readonly BoardColumn[]): TemplateResult {
    const t = this.t;
    const currency = column.deals[0]?.currency ?? 'EUR';
    const hidden = column.count - cardsPerColumn;
    return html`<section
      class="column"
      role="listitem"
      data-stage=${column.stage}
      aria-label=${column.stage}
      @dragover=${(event: DragEvent) => {
        event.preventDefault();
        currentElement(event, HTMLElement).classList.add('over');
      }}
      @dragleave=${(event: DragEvent) => currentElement(event, HTMLElement).classList.remove('over')}
      @drop=${(event: DragEvent) => {
        event.preventDefault();
        currentElement(event, HTMLElement).classList.remove('over');
        const deal = this.deals.find((d) => d.id === this.dragged);
        if (deal && deal.stage !== column.stage) void this.move(deal, column.stage);
      }}
    >
      <h3>${column.stage}</h3>
      <div class="sums">
        <span data-sum="count">${column.count} ${t.deals}</span>
        <span data-sum="value">${t.value}: ${formatMoney(column.value, currency, this.language)}</span>
        <span data-sum="weighted"
          >${t.weighted}: ${formatMoney(column.weighted, currency, this.language)}</span
        >
      </div>
      ${repeat(
        column.deals.slice(0, cardsPerColumn),
        (deal) => deal.id,
        (deal) => this.renderCard(deal, columns),
      )}
      ${hidden > 0 ? html`<p class="muted">+ ${hidden} ${t.more}</p>` : null}
    </section>`;
  }

  private renderCard(deal: Opportunity, columns: readonly BoardColumn[]): TemplateResult {
    const t = this.t;
    const risks = this.risks.get(deal.id) ?? [];
    const conflict = this.conflicts.get(deal.id);
    return html`<article
      class="card"
      draggable="true"
      tabindex="0"
      aria-label=${`${deal.name}, ${t.stage} ${deal.stage}`}
      aria-describedby="card-hint"
      data-deal=${deal.id}
      data-version=${deal.version}
      data-owner=${deal.ownerId ?? ''}
      @keydown=${(event: KeyboardEvent) => this.onCardKey(event, deal, columns)}
      @dragstart=${(event: DragEvent) => {
        this.dragged = deal.id;
        event.dataTransfer?.setData('text/plain', deal.id);
      }}
    >
      <button
        type="button"
        class="name"
        @click=${() => this.openDeal(deal.id)}
      >
        ${deal.name}
      </button>
      <div class="facts">
        <span data-field="amount">${formatMoney(deal.amount, deal.currency ?? 'EUR', this.language)}</span>
        <span data-field="closeDate">${formatDay(deal.closeDate, this.language)}</span>
        <span data-field="owner">${this.userNames.get(deal.ownerId ?? '') ?? ''}</span>
      </div>
      ${
        risks.length > 0
          ? html`<span class="risk" data-risk=${risks.join(' ')}
              >⚠ ${t.risk}: ${risks.map((r) => t.riskReasons[r] ?? r).join(', ')}</span
            >`
          : null
      }
      ${
        conflict
          ? html`<p class="conflict" role="alert" data-conflict=${conflict.version}>
              ${t.conflict} (${t.stage}: ${conflict.stage})
            </p>`
          : null
      }
      <label>
        <span class="visually-hidden">${t.moveDeal}: ${deal.name}</span>
        <select
          data-move=${deal.id}
          @change=${(event: Event) => {
            const select = currentElement(event, HTMLSelectElement);
            const target = select.value;
            select.value = '';
            if (target === '@close') this.askClose(deal);
            else if (target) void this.move(deal, target);
          }}
        >
          <option value="">${t.moveTo}</option>
          ${columns
            .filter((c) => c.stage !== deal.stage)
            .map((c) => html`<option value=${c.stage}>${t.stage}: ${c.stage}</option>`)}
          <option value="@close">${t.closeDeal} …</option>
        </select>
      </label>
    </article>`;
  }

  private renderCloseDialog(): TemplateResult {
    const t = this.t;
    const deal = this.closing;
    return html`<dialog
      aria-labelledby="close-title"
      @close=${() => {
        this.closing = null;
        const back = this.returnTo;
        this.returnTo = null;
        if (back) this.focusDeal(back);
      }}
    >
      <form
        method="dialog"
        @submit=${(event: SubmitEvent) => {
          event.preventDefault();
          const form = currentElement(event, HTMLFormElement);
          const data = new FormData(form);
          const outcome = data.get('outcome') === 'lost' ? 'lost' : 'won';
          const reason = String(data.get('lostReason') ?? '').trim();
          if (deal) {
            // The closed deal leaves the board: the focus goes to its neighbour in the column.
            const neighbour = this.neighbourOf(deal.id);
            this.returnTo = null;
            void this.close(deal, outcome, reason).then(() => {
              if (neighbour) this.focusDeal(neighbour);
            });
          }
          form.closest('dialog')?.close();
        }}
      >
        <h3 id="close-title">${t.closeDeal}: ${deal?.name ?? ''}</h3>
        <fieldset>
          <legend class="visually-hidden">${t.closeDeal}</legend>
          <label><input type="radio" name="outcome" value="won" checked /> ${t.won}</label>
          <label><input type="radio" name="outcome" value="lost" /> ${t.lost}</label>
        </fieldset>
        <label>
          ${t.lostReason}
          <input name="lostReason" autocomplete="off" />
        </label>
        <div class="actions">
          <button type="button" @click=${(event: Event) => currentElement(event, HTMLElement).closest('dialog')?.close()}>
            ${t.cancel}
          </button>
          <button type="submit" class="primary">${t.confirm}</button>
        </div>
      </form>
    </dialog>`;
  }

  /** The card after (else before) a deal's card in its column, to take the focus. */
  private neighbourOf(id: string): string | null {
    const card = this.renderRoot.querySelector(`article[data-deal="${CSS.escape(id)}"]`);
    const near = card?.nextElementSibling?.matches('article')
      ? card.nextElementSibling
      : card?.previousElementSibling?.matches('article')
        ? card.previousElementSibling
        : null;
    return near?.getAttribute('data-deal') ?? null;
  }

  private askClose(deal: Opportunity): void {
    this.closing = deal;
    this.returnTo = deal.id;
    this.focusAfter = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector('dialog')?.showModal());
  }

  /** Moves a deal to a stage with If-Match; on a conflict the card shows the newer version. */
  async move(deal: Opportunity, stage: string): Promise<void> {
    const stages = this.pipeline?.stages.filter((s) => s.status === 'open') ?? [];
    const position = stages.findIndex((s) => s.name === stage) + 1;
    const said = (updated: Opportunity) =>
      this.t.movedTo(deal.name, updated.stage ?? stage, position, stages.length);
    await this.write(deal, said, () =>
      call(
        this.api.POST('/opportunities/{id}/stage', {
          params: { path: { id: deal.id }, header: ifMatch(deal.version) },
          // The probability follows the stage, as the pipeline defines it.
          body: { stage, ...this.stageProbability(stage) },
        }),
      ),
    );
  }

  private stageProbability(stage: string): { probability?: number } {
    const found = this.pipeline?.stages.find((s) => s.name === stage);
    return found ? { probability: found.probability } : {};
  }

  /** Closes a deal won, or lost with a reason. */
  async close(deal: Opportunity, outcome: 'won' | 'lost', lostReason: string): Promise<void> {
    const said = () =>
      this.t.closedAs(
        deal.name,
        outcome === 'won' ? this.t.won : `${this.t.lost}${lostReason ? ` (${lostReason})` : ''}`,
      );
    await this.write(deal, said, () =>
      outcome === 'won'
        ? call(
            this.api.POST('/opportunities/{id}/close-won', {
              params: { path: { id: deal.id }, header: ifMatch(deal.version) },
              body: {},
            }),
          )
        : call(
            this.api.POST('/opportunities/{id}/close-lost', {
              params: { path: { id: deal.id }, header: ifMatch(deal.version) },
              body: { lostReason },
            }),
          ),
    );
  }

  private async write(
    deal: Opportunity,
    said: (updated: Opportunity) => string,
    run: () => Promise<Opportunity>,
  ): Promise<void> {
    this.actionProblem = null;
    try {
      const updated = await run();
      this.replace(updated);
      this.announcement = said(updated);
      const conflicts = new Map(this.conflicts);
      conflicts.delete(deal.id);
      this.conflicts = conflicts;
      this.dispatchEvent(
        new CustomEvent('rapport-deal-changed', {
          detail: { deal: updated },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      const problem = asProblem(error);
      if (!problem.isConflict) {
        this.actionProblem = problem;
        this.announcement = problemMessage(problem.code, this.language);
        return;
      }
      const newer = await call(
        this.api.GET('/opportunities/{id}', { params: { path: { id: deal.id } } }),
      ).catch(() => null);
      if (newer) {
        this.replace(newer);
        this.conflicts = new Map(this.conflicts).set(deal.id, newer);
        this.announcement = this.t.moveConflict(deal.name, newer.stage ?? '');
      } else {
        this.actionProblem = problem;
      }
    }
  }

  /** Puts a newer version of a deal in place; a closed deal leaves the board. */
  replace(updated: Opportunity): void {
    const others = this.deals.filter((d) => d.id !== updated.id);
    this.deals = updated.status === 'open' ? [...others, updated] : others;
  }
}

customElements.define('rapport-pipeline-board', PipelineBoard);

declare global {
  interface HTMLElementTagNameMap {
    'rapport-pipeline-board': PipelineBoard;
  }
}
