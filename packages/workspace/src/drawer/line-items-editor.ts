import { css, html, type TemplateResult } from 'lit';
import { type ApiProblem, type ApiSchemas, call, ifMatch } from '../api/api-client.js';
import { formatMoney, issueMessage, toMajor, toMinor } from '../i18n/messages.js';
import { currentElement } from '../shared/current-element.js';
import { asProblem, WorkspaceElement } from '../shared/workspace-element.js';

/** A line item as the API returns it. */
export type LineItem = ApiSchemas['LineItem'];
type Product = ApiSchemas['Product'];

/** The fields a line item row edits, and where the API's issues on them show. */
const itemFields = ['productId', 'quantity', 'unitPrice', 'discount'] as const;
type ItemField = (typeof itemFields)[number];

/** The key of the form that adds an item (rows use the item's id). */
const newItem = '@new';

/**
 * `<rapport-line-items opportunity-id="..." currency="EUR">`: a deal's line items to add,
 * change and remove (product, quantity, unit price, discount). The API validates each write
 * and computes the total; its issues show beside the field. A change with If-Match that meets
 * a newer version shows that version. The deal's amount is the sum of its items, so after each
 * write the element says so with `rapport-line-items-changed`, and the host reads the deal
 * again.
 *
 * Events: `rapport-line-items-changed` ({ opportunityId }).
 *
 * @example
 * <rapport-line-items api-base="/api" api-key="rpk_..." opportunity-id="01a2..." currency="EUR"></rapport-line-items>
 */
export class LineItemsEditor extends WorkspaceElement {
  static override properties = {
    ...WorkspaceElement.properties,
    opportunityId: { attribute: 'opportunity-id' },
    currency: {},
    items: { state: true },
    errors: { state: true },
    problem: { state: true },
    busy: { state: true },
  };

  static override styles = [
    ...WorkspaceElement.styles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        border-bottom: 1px solid var(--_border);
        padding: 0.5rem 0;
      }
      label {
        display: grid;
        gap: 0.125rem;
        flex: 1 1 6rem;
        font-size: 0.875rem;
      }
      label.product {
        flex: 2 1 12rem;
      }
      input,
      select {
        width: 100%;
        box-sizing: border-box;
      }
      .total {
        flex: 1 1 6rem;
        font-variant-numeric: tabular-nums;
        min-height: 44px;
        display: flex;
        align-items: center;
      }
      .field-error {
        color: var(--_danger);
        font-size: 0.8125rem;
      }
      [aria-invalid='true'] {
        border-color: var(--_danger);
      }
      .buttons {
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  /** The deal whose items to edit. */
  declare opportunityId: string | undefined;
  /** The deal's currency: prices are typed and shown in its major units. */
  declare currency: string;
  declare items: LineItem[];
  /** Field errors by form (an item's id, or `@new`) and field. */
  declare errors: Readonly<Record<string, Partial<Record<ItemField | 'form', string>>>>;
  declare problem: ApiProblem | null;
  declare busy: boolean;
  private products: Product[] = [];

  constructor() {
    super();
    this.currency = 'EUR';
    this.items = [];
    this.errors = {};
    this.problem = null;
    this.busy = false;
  }

  protected override reloadOn(): readonly string[] {
    return [...super.reloadOn(), 'opportunityId'];
  }

  protected override async load(): Promise<void> {
    const id = this.opportunityId;
    if (!id) return;
    const [items, products] = await Promise.all([
      call(this.api.GET('/line-items', { params: { query: { opportunityId: id, limit: 100 } } })),
      call(this.api.GET('/products', { params: { query: { limit: 1000, sort: 'name' } } })),
    ]);
    this.items = items.items;
    this.products = products.items;
    this.errors = {};
    this.problem = null;
  }

  protected override renderReady(): TemplateResult {
    const t = this.t;
    return html`
      ${this.problem ? this.renderProblem(this.problem, () => void this.reload()) : null}
      ${
        this.items.length === 0
          ? html`<p class="muted" data-empty="line-items">${t.noLineItems}</p>`
          : this.items.map((item) => this.renderItem(item))
      }
      ${this.renderForm(newItem, undefined)}
    `;
  }

  private renderItem(item: LineItem): TemplateResult {
    return this.renderForm(item.id, item);
  }

  private renderForm(key: string, item: LineItem | undefined): TemplateResult {
    const t = this.t;
    const lang = this.language;
    const currency = item?.currency ?? this.currency;
    const errors = this.errors[key] ?? {};
    const id = (field: string) => `${field}-${key}`;
    const described = (field: ItemField) =>
      errors[field] ? { invalid: 'true', by: `${id(field)}-error` } : { invalid: 'false', by: '' };
    const error = (field: ItemField) =>
      errors[field]
        ? html`<span class="field-error" id=${`${id(field)}-error`} data-error-for=${field}
            >${errors[field]}</span
          >`
        : null;
    const productName = item
      ? (this.products.find((p) => p.id === item.productId)?.name ?? item.productId)
      : '';
    const label = item ? `${t.lineItem}: ${productName}` : t.addLineItem;
    return html`<form
      data-line-item=${key}
      aria-label=${label}
      novalidate
      @submit=${(event: SubmitEvent) => {
        event.preventDefault();
        void this.submit(key, item, currentElement(event, HTMLFormElement));
      }}
    >
      <label class="product">
        ${t.product}
        <select
          name="productId"
          aria-invalid=${described('productId').invalid}
          aria-describedby=${described('productId').by}
        >
          ${item ? null : html`<option value="">${t.chooseProduct}</option>`}
          ${this.products.map(
            (p) =>
              html`<option value=${p.id} ?selected=${p.id === item?.productId}>
                ${p.name} (${formatMoney(p.listPrice, p.currency ?? currency, lang)})
              </option>`,
          )}
        </select>
        ${error('productId')}
      </label>
      <label>
        ${t.quantity}
        <input
          name="quantity"
          type="number"
          step="any"
          inputmode="decimal"
          .value=${item ? String(item.quantity) : '1'}
          aria-invalid=${described('quantity').invalid}
          aria-describedby=${described('quantity').by}
        />
        ${error('quantity')}
      </label>
      <label>
        ${t.unitPrice} (${currency})
        <input
          name="unitPrice"
          type="number"
          step="any"
          inputmode="decimal"
          placeholder=${item ? '' : t.listPrice}
          .value=${item?.unitPrice === undefined ? '' : String(toMajor(item.unitPrice, currency))}
          aria-invalid=${described('unitPrice').invalid}
          aria-describedby=${described('unitPrice').by}
        />
        ${error('unitPrice')}
      </label>
      <label>
        ${t.discount}
        <input
          name="discount"
          type="number"
          step="any"
          inputmode="decimal"
          .value=${String(item?.discount ?? 0)}
          aria-invalid=${described('discount').invalid}
          aria-describedby=${described('discount').by}
        />
        ${error('discount')}
      </label>
      ${
        item
          ? html`<span class="total" data-field="totalPrice"
              >= ${formatMoney(item.totalPrice, currency, lang)}</span
            >`
          : null
      }
      <div class="buttons">
        <button type="submit" ?disabled=${this.busy} data-action=${item ? 'save' : 'add'}>
          ${item ? t.save : t.add}
        </button>
        ${
          item
            ? html`<button
                type="button"
                data-action="remove"
                aria-label=${`${t.remove}: ${productName}`}
                ?disabled=${this.busy}
                @click=${() => void this.removeItem(item)}
              >
                ${t.remove}
              </button>`
            : null
        }
      </div>
      ${errors.form ? html`<p class="field-error" role="alert" data-error-for="form">${errors.form}</p>` : null}
    </form>`;
  }

  /** Adds an item (key `@new`) or saves a changed one with If-Match. */
  private async submit(
    key: string,
    item: LineItem | undefined,
    form: HTMLFormElement,
  ): Promise<void> {
    const id = this.opportunityId;
    if (!id) return;
    const data = new FormData(form);
    const currency = item?.currency ?? this.currency;
    const text = (name: string) => String(data.get(name) ?? '').trim();
    // Empty and unparsable inputs go to the API as they are, so its issue names the field.
    const number = (raw: string) => (raw === '' ? Number.NaN : Number(raw));
    const unitPrice = text('unitPrice');
    const fields = {
      productId: text('productId'),
      quantity: number(text('quantity')),
      discount: text('discount') === '' ? 0 : number(text('discount')),
      ...(unitPrice === '' ? {} : { unitPrice: toMinor(number(unitPrice), currency) }),
    };
    await this.write(key, () =>
      item
        ? call(
            this.api.PATCH('/line-items/{id}', {
              params: { path: { id: item.id }, header: ifMatch(item.version) },
              body: fields,
            }),
          )
        : call(this.api.POST('/line-items', { body: { ...fields, opportunityId: id } })),
    );
  }

  /** Removes an item with If-Match. */
  private async removeItem(item: LineItem): Promise<void> {
    await this.write(item.id, () =>
      call(
        this.api.DELETE('/line-items/{id}', {
          params: { path: { id: item.id }, header: ifMatch(item.version) },
        }),
      ),
    );
  }

  private async write(key: string, run: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.problem = null;
    try {
      await run();
      await this.load();
      this.dispatchEvent(
        new CustomEvent('rapport-line-items-changed', {
          detail: { opportunityId: this.opportunityId },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      const problem = asProblem(error);
      if (problem.isConflict) {
        // Someone changed or removed the item meanwhile: show the items as they are now.
        await this.load().catch(() => undefined);
        this.errors = { ...this.errors, [key]: { form: this.t.conflictItem } };
        return;
      }
      const fieldErrors: Partial<Record<ItemField | 'form', string>> = {};
      for (const field of itemFields) {
        const issue = problem.fieldIssue(field);
        if (issue) fieldErrors[field] = issueMessage(issue, this.language);
      }
      // The total is computed from quantity, price and discount: its issue belongs to all three.
      const total = problem.fieldIssue('totalPrice');
      if (total) fieldErrors.quantity ??= issueMessage(total, this.language);
      if (Object.keys(fieldErrors).length === 0) this.problem = problem;
      this.errors = { ...this.errors, [key]: fieldErrors };
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('rapport-line-items', LineItemsEditor);

declare global {
  interface HTMLElementTagNameMap {
    'rapport-line-items': LineItemsEditor;
  }
}
