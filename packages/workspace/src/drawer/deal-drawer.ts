import './line-items-editor.js';
import { css, html, type TemplateResult } from 'lit';
import {
  type Activity,
  type ApiProblem,
  type ApiSchemas,
  call,
  ifMatch,
  type Opportunity,
  type PredictDeal,
  withoutPredictions,
} from '../api/api-client.js';
import {
  formatDay,
  formatMoney,
  formatPercent,
  issueMessage,
  problemMessage,
  toMajor,
  toMinor,
  type WorkspaceStrings,
} from '../i18n/messages.js';
import { currentElement } from '../shared/current-element.js';
import { asProblem, WorkspaceElement } from '../shared/workspace-element.js';

/** The name of an activity type in the language. */
function activityLabel(t: WorkspaceStrings, type: Activity['type']): string {
  return { call: t.call, meeting: t.meeting, email: t.email, task: t.task }[type] ?? type;
}

/** The fields the drawer edits. */
const editable = ['name', 'amount', 'closeDate', 'probability', 'nextStep'] as const;
type EditableField = (typeof editable)[number];

/**
 * `<rapport-deal-drawer deal-id="...">`: one deal as a side panel (a modal dialog, so the
 * keyboard stays in it and Escape closes it): its fields to edit and save (the API validates;
 * its errors show beside the field), line items, stage history, activities and a form to log a
 * call, meeting or email. A save that meets a newer version shows that version. With the predict
 * plugin, an open deal shows its learned win probability next to its stage's default, with the
 * factors that moved it most and the reasons its plan looks unrealistic.
 *
 * Events: `rapport-deal-changed` ({ deal }) after a save, `rapport-drawer-closed`.
 *
 * @example
 * <rapport-deal-drawer api-base="/api" api-key="rpk_..." deal-id="01a2..."></rapport-deal-drawer>
 */
export class DealDrawer extends WorkspaceElement {
  static override properties = {
    ...WorkspaceElement.properties,
    dealId: { attribute: 'deal-id' },
    deal: { state: true },
    fieldErrors: { state: true },
    saveProblem: { state: true },
    notice: { state: true },
    activities: { state: true },
    prediction: { state: true },
  };

  static override styles = [
    ...WorkspaceElement.styles,
    css`
      dialog {
        margin: 0 0 0 auto;
        height: 100%;
        max-height: 100%;
        width: min(34rem, 100vw);
        box-sizing: border-box;
        border: none;
        border-left: 1px solid var(--_border);
        padding: 1rem 1.25rem 2rem;
      }
      header {
        display: flex;
        justify-content: space-between;
        align-items: start;
        gap: 1rem;
      }
      h2 {
        margin: 0;
        font-size: 1.25rem;
      }
      h3 {
        font-size: 1rem;
        margin: 1.25rem 0 0.5rem;
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      .field-error {
        color: var(--_danger);
        font-size: 0.8125rem;
      }
      input[aria-invalid='true'] {
        border-color: var(--_danger);
      }
      ul {
        padding-left: 1.25rem;
        margin: 0;
      }
      li {
        margin: 0.25rem 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      .row > label {
        flex: 1 1 8rem;
      }
      .prediction {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem;
        margin: 0.75rem 0;
      }
      .prediction strong {
        font-size: 1.125rem;
        font-variant-numeric: tabular-nums;
      }
      .prediction ul {
        font-size: 0.8125rem;
        margin-top: 0.25rem;
      }
      .prediction .risk {
        color: var(--_danger);
      }
      .notice {
        border: 1px solid var(--_warning);
        background: #fff7e6;
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem;
      }
    `,
  ];

  /** The deal to show; the drawer opens when set and closes when cleared. */
  declare dealId: string | undefined;
  declare deal: Opportunity | undefined;
  declare fieldErrors: Partial<Record<string, string>>;
  declare saveProblem: ApiProblem | null;
  declare notice: string | null;
  declare activities: Activity[];
  /** The deal's learned win probability; null when closed or without predictions. */
  declare prediction: PredictDeal | null;
  /** The default probability of the deal's stage (percent), from its pipeline. */
  private stageDefault: number | null = null;
  private history: ApiSchemas['StageHistory'][] = [];

  constructor() {
    super();
    this.fieldErrors = {};
    this.saveProblem = null;
    this.notice = null;
    this.activities = [];
    this.prediction = null;
  }

  protected override reloadOn(): readonly string[] {
    return [...super.reloadOn(), 'dealId', 'lang'];
  }

  protected override updated(): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog && this.dealId && !dialog.open) dialog.showModal();
  }

  protected override async load(): Promise<void> {
    if (!this.dealId) return;
    const id = this.dealId;
    const api = this.api;
    const [deal, history, activities] = await Promise.all([
      call(api.GET('/opportunities/{id}', { params: { path: { id } } })),
      call(
        api.GET('/stage-history', {
          params: { query: { opportunityId: id, sort: 'createdAt', limit: 100 } },
        }),
      ),
      call(
        api.GET('/activities', {
          params: { query: { opportunityId: id, sort: '-createdAt', limit: 50 } },
        }),
      ),
    ]);
    this.deal = deal;
    await this.loadPrediction(deal);
    this.history = history.items;
    this.activities = activities.items;
    this.fieldErrors = {};
    this.saveProblem = null;
    this.notice = null;
  }

  /**
   * The learned win probability of an open deal and its stage's default. A failed prediction
   * leaves the drawer usable: the stage default is shown alone.
   */
  private async loadPrediction(deal: Opportunity): Promise<void> {
    const api = this.api;
    const [pipeline, deals] = await Promise.all([
      deal.pipelineId
        ? call(api.GET('/pipelines/{id}', { params: { path: { id: deal.pipelineId } } })).catch(
            () => null,
          )
        : null,
      deal.status === 'open'
        ? withoutPredictions(
            api.GET('/predict/deals', { params: { query: { lang: this.language, ids: deal.id } } }),
          ).catch(() => null)
        : null,
    ]);
    this.stageDefault = pipeline?.stages.find((s) => s.name === deal.stage)?.probability ?? null;
    this.prediction = deals?.items.find((d) => d.id === deal.id) ?? null;
  }

  private renderPrediction(deal: Opportunity): TemplateResult | null {
    const t = this.t;
    const lang = this.language;
    const stageDefault =
      this.stageDefault === null
        ? null
        : html`<span data-field="stage-default">${t.stageDefault} (${deal.stage}): ${formatPercent(this.stageDefault / 100, lang)}</span>`;
    const p = this.prediction;
    if (!p) return stageDefault ? html`<p class="muted">${stageDefault}</p>` : null;
    const learned = p.method !== 'stageDefault';
    return html`<section class="prediction" data-prediction=${p.winProbability} aria-label=${t.winChance}>
      <div>
        ${t.winChance}:
        <strong data-field="win-probability">${formatPercent(Math.round(p.winProbability * 100) / 100, lang)}</strong>
        <span class="muted">(${learned ? t.learned : t.stageDefaultOnly})</span>
      </div>
      ${stageDefault ? html`<div class="muted">${stageDefault}</div>` : null}
      ${
        p.reasons.length + p.risks.length > 0
          ? html`<ul data-field="win-reasons">
              ${p.reasons.slice(0, 3).map((reason) => html`<li>${reason}</li>`)}
              ${p.risks.map((risk) => html`<li class="risk" data-risk=${risk.kind}>${risk.text}</li>`)}
            </ul>`
          : null
      }
    </section>`;
  }

  protected override render(): TemplateResult {
    if (!this.dealId) return html``;
    return html`<dialog aria-labelledby="deal-title" @close=${() => this.closeDrawer()}>
      ${super.render()}
    </dialog>`;
  }

  private closeDrawer(): void {
    this.dealId = undefined;
    this.dispatchEvent(new CustomEvent('rapport-drawer-closed', { bubbles: true, composed: true }));
  }

  protected override renderReady(): TemplateResult {
    const t = this.t;
    const deal = this.deal;
    if (!deal) return html``;
    const currency = deal.currency ?? 'EUR';
    const lang = this.language;
    return html`
      <header>
        <h2 id="deal-title">${deal.name}</h2>
        <button type="button" @click=${() => this.renderRoot.querySelector('dialog')?.close()}>
          ${t.close}
        </button>
      </header>
      <p class="muted">
        ${t.stage}: ${deal.stage} ·
        <span data-field="amount">${formatMoney(deal.amount, currency, lang)}</span>
      </p>
      ${this.renderPrediction(deal)}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : null}
      ${this.saveProblem ? this.renderProblem(this.saveProblem, () => void this.save()) : null}
      <form
        data-form="deal"
        novalidate
        @submit=${(event: SubmitEvent) => {
          event.preventDefault();
          void this.save();
        }}
      >
        ${this.field('name', t.name, 'text', deal.name)}
        <div class="row">
          ${this.field('amount', `${t.amount} (${currency})`, 'number', deal.amount === null || deal.amount === undefined ? '' : String(toMajor(deal.amount, currency)))}
          ${this.field('closeDate', t.closeDate, 'date', deal.closeDate)}
        </div>
        ${this.field('probability', t.probability, 'number', String(deal.probability ?? ''))}
        ${this.field('nextStep', t.nextStep, 'text', deal.nextStep ?? '')}
        <div><button type="submit" class="primary">${t.save}</button></div>
      </form>

      <h3 id="line-items-title">${t.lineItems}</h3>
      <rapport-line-items
        aria-labelledby="line-items-title"
        .client=${this.api}
        lang=${lang}
        opportunity-id=${deal.id}
        currency=${currency}
        @rapport-line-items-changed=${() => void this.refreshDeal()}
      ></rapport-line-items>

      <h3>${t.stageHistory}</h3>
      ${
        this.history.length === 0
          ? html`<p class="muted">${t.none}</p>`
          : html`<ol>
              ${this.history.map(
                (entry) =>
                  html`<li>${formatDay(entry.createdAt, lang)}: ${entry.previousStage ? `${entry.previousStage} → ` : ''}${entry.stage}</li>`,
              )}
            </ol>`
      }

      <h3>${t.activities}</h3>
      <form
        data-form="activity"
        @submit=${(event: SubmitEvent) => {
          event.preventDefault();
          void this.logActivity(currentElement(event, HTMLFormElement));
        }}
      >
        <div class="row">
          <label>
            ${t.activityType}
            <select name="type">
              <option value="call">${t.call}</option>
              <option value="meeting">${t.meeting}</option>
              <option value="email">${t.email}</option>
            </select>
          </label>
          <label>
            ${t.subject}
            <input name="subject" required autocomplete="off" />
          </label>
          <button type="submit">${t.log}</button>
        </div>
        ${this.fieldErrors.subject ? html`<span class="field-error" id="subject-error">${this.fieldErrors.subject}</span>` : null}
      </form>
      ${
        this.activities.length === 0
          ? html`<p class="muted">${t.none}</p>`
          : html`<ul data-list="activities">
              ${this.activities.map(
                (activity) =>
                  html`<li data-activity=${activity.id}>
                    ${formatDay(typeof activity.completedAt === 'string' ? activity.completedAt : activity.createdAt, lang)} ·
                    ${activityLabel(t, activity.type)}: ${activity.subject}
                  </li>`,
              )}
            </ul>`
      }
    `;
  }

  private field(name: EditableField, label: string, type: string, value: string): TemplateResult {
    const error = this.fieldErrors[name];
    return html`<label>
      ${label}
      <input
        name=${name}
        type=${type}
        .value=${value}
        step=${type === 'number' ? 'any' : ''}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? `${name}-error` : ''}
      />
      ${error ? html`<span class="field-error" id=${`${name}-error`} data-error-for=${name}>${error}</span>` : null}
    </label>`;
  }

  /**
   * Reads the deal again after its line items changed (its amount is their sum, and its
   * version moved), keeping what is typed in the other fields of the form.
   */
  private async refreshDeal(): Promise<void> {
    const deal = this.deal;
    if (!deal) return;
    const fresh = await call(
      this.api.GET('/opportunities/{id}', { params: { path: { id: deal.id } } }),
    ).catch((error: unknown) => {
      this.saveProblem = asProblem(error);
      return null;
    });
    if (!fresh) return;
    this.deal = fresh;
    const amount = this.renderRoot.querySelector<HTMLInputElement>('input[name="amount"]');
    if (amount && fresh.amount !== null && fresh.amount !== undefined)
      amount.value = String(toMajor(fresh.amount, fresh.currency ?? 'EUR'));
    this.changed(fresh);
  }

  /** Saves the changed fields with If-Match; the API's field errors show beside the fields. */
  async save(): Promise<void> {
    const deal = this.deal;
    const form = this.renderRoot.querySelector<HTMLFormElement>('form[data-form="deal"]');
    if (!deal || !form) return;
    const data = new FormData(form);
    const currency = deal.currency ?? 'EUR';
    const text = (name: string) => String(data.get(name) ?? '');
    const number = (raw: string) => (raw.trim() === '' ? null : Number(raw));
    const amount = number(text('amount'));
    const body = {
      name: text('name'),
      amount: amount === null ? null : toMinor(amount, currency),
      closeDate: text('closeDate'),
      nextStep: text('nextStep').trim() === '' ? null : text('nextStep'),
      ...probabilityOf(number(text('probability'))),
    };
    this.fieldErrors = {};
    this.saveProblem = null;
    this.notice = null;
    try {
      const saved = await call(
        this.api.PATCH('/opportunities/{id}', {
          params: { path: { id: deal.id }, header: ifMatch(deal.version) },
          body,
        }),
      );
      this.deal = saved;
      this.notice = this.t.saved;
      this.changed(saved);
    } catch (error) {
      const problem = asProblem(error);
      if (problem.isConflict) {
        const newer = await call(
          this.api.GET('/opportunities/{id}', { params: { path: { id: deal.id } } }),
        ).catch(() => null);
        if (newer) {
          this.deal = newer;
          this.notice = this.t.conflict;
          return;
        }
      }
      const errors: Record<string, string> = {};
      for (const field of editable) {
        const issue = problem.fieldIssue(field);
        if (issue) errors[field] = issueMessage(issue, this.language);
      }
      this.fieldErrors = errors;
      if (Object.keys(errors).length === 0) this.saveProblem = problem;
    }
  }

  /** Logs a call, meeting or email on the deal, done now. */
  async logActivity(form: HTMLFormElement): Promise<void> {
    const deal = this.deal;
    if (!deal) return;
    const data = new FormData(form);
    const type = String(data.get('type'));
    try {
      const activity = await call(
        this.api.POST('/activities', {
          body: {
            type: type === 'meeting' || type === 'email' ? type : 'call',
            subject: String(data.get('subject') ?? ''),
            opportunityId: deal.id,
            // The deal's owner did it; an admin key acts as no user of the tenant.
            ...(deal.ownerId ? { ownerId: deal.ownerId } : {}),
            ...(deal.accountId ? { accountId: deal.accountId } : {}),
            completedAt: new Date().toISOString(),
          },
        }),
      );
      this.activities = [activity, ...this.activities];
      this.fieldErrors = {};
      form.reset();
      this.changed(deal);
    } catch (error) {
      const problem = asProblem(error);
      const issue = problem.fieldIssue('subject');
      this.fieldErrors = {
        subject: issue
          ? issueMessage(issue, this.language)
          : problemMessage(problem.code, this.language),
      };
    }
  }

  private changed(deal: Opportunity): void {
    this.dispatchEvent(
      new CustomEvent('rapport-deal-changed', { detail: { deal }, bubbles: true, composed: true }),
    );
  }
}

customElements.define('rapport-deal-drawer', DealDrawer);

declare global {
  interface HTMLElementTagNameMap {
    'rapport-deal-drawer': DealDrawer;
  }
}

/** The probability field of a patch: left out when the input is empty. */
function probabilityOf(value: number | null): { probability?: number } {
  return value === null ? {} : { probability: value };
}
