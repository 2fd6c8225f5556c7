import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { ApiProblem, createWorkspaceClient, type WorkspaceClient } from '../api/api-client.js';
import {
  problemMessage,
  stringsOf,
  type WorkspaceLang,
  type WorkspaceStrings,
} from '../i18n/messages.js';
import { themeStyles } from './theme.js';

/** Where a component's data is: loading, there, or failed with a problem. */
export type LoadState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'error'; readonly problem: ApiProblem };

/**
 * The base of every workspace component: the API client (the `client` property, or
 * `api-base` and `api-key` attributes), the language (`lang`), and loading, error and retry.
 * Components load in {@link WorkspaceElement.load} and render in
 * {@link WorkspaceElement.renderReady}.
 */
export abstract class WorkspaceElement extends LitElement {
  static override styles = [themeStyles];
  static override properties = {
    client: { attribute: false },
    apiBase: { attribute: 'api-base' },
    apiKey: { attribute: 'api-key' },
    lang: { reflect: true },
    loadState: { state: true },
  };

  /** The typed API client; made from `api-base` and `api-key` when not set. */
  declare client: WorkspaceClient | undefined;
  /** Where the API is mounted (with `api-key`, instead of `client`). */
  declare apiBase: string | undefined;
  /** The API key (with `api-base`). */
  declare apiKey: string | undefined;
  /** en or de. */
  declare lang: string;
  declare loadState: LoadState;

  constructor() {
    super();
    this.lang = 'en';
    this.loadState = { kind: 'loading' };
  }

  /** The language as the workspace knows it. */
  protected get language(): WorkspaceLang {
    return this.lang === 'de' ? 'de' : 'en';
  }

  /** The strings of the language. */
  protected get t(): WorkspaceStrings {
    return stringsOf(this.language);
  }

  /** The client, or an error that says what to set. */
  protected get api(): WorkspaceClient {
    this.client ??=
      this.apiBase && this.apiKey
        ? createWorkspaceClient({ baseUrl: this.apiBase, apiKey: this.apiKey })
        : undefined;
    if (!this.client)
      throw new ApiProblem(0, 'UNAUTHORIZED', 'set client, or api-base and api-key');
    return this.client;
  }

  /** Loads the component's data. */
  protected abstract load(): Promise<void>;

  /** The component once its data is there. */
  protected abstract renderReady(): TemplateResult;

  /** Properties whose change loads again. */
  protected reloadOn(): readonly string[] {
    return ['client', 'apiBase', 'apiKey'];
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.reloadOn().some((name) => changed.has(name))) void this.reload();
  }

  /** Loads again, showing the skeleton until the data is there; errors keep the page. */
  async reload(): Promise<void> {
    this.loadState = { kind: 'loading' };
    try {
      await this.load();
      this.loadState = { kind: 'ready' };
    } catch (error) {
      this.loadState = { kind: 'error', problem: asProblem(error) };
    }
    this.dispatchEvent(
      new CustomEvent('rapport-loaded', {
        detail: { state: this.loadState.kind },
        bubbles: true,
        composed: true,
      }),
    );
  }

  protected override render(): TemplateResult {
    const state = this.loadState;
    if (state.kind === 'loading') {
      return html`<div class="skeleton" role="status" aria-label=${this.t.loading}>
        <span></span><span></span><span></span>
      </div>`;
    }
    if (state.kind === 'error') return this.renderProblem(state.problem, () => this.reload());
    return this.renderReady();
  }

  /** A translated problem with a retry button. */
  protected renderProblem(problem: ApiProblem, retry: () => void): TemplateResult {
    return html`<div class="problem" role="alert" data-problem=${problem.code}>
      <span>${problemMessage(problem.code, this.language)}</span>
      <button type="button" @click=${retry}>${this.t.retry}</button>
    </div>`;
  }
}

/** Any thrown value as an {@link ApiProblem}. */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem(0, 'INTERNAL', error instanceof Error ? error.message : String(error));
}
