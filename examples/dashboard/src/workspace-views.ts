import '@rapport/workspace';
import { createWorkspaceClient, type WorkspaceClient } from '@rapport/workspace';
import type { UrlState, View } from './url-state.js';

/** What a workspace view needs from the app. */
export interface ViewOptions {
  readonly view: View;
  readonly apiBase: string;
  readonly apiKey: string;
  readonly lang: 'en' | 'de';
  readonly period: string;
  readonly currency: string;
  /** The chosen rep or the chosen team's members; null for everyone. */
  readonly owners: readonly string[] | null;
  /** The app's state; views write their own parts (sort, filters, page, open deal) into it. */
  readonly state: UrlState;
  /** Called after a view changed the state, to keep it in the URL. */
  readonly onStateChange: () => void;
  /** Called after a deal changed, so the KPIs load again. */
  readonly onDealChanged: () => void;
}

let client: { key: string; client: WorkspaceClient } | undefined;

function clientFor(options: ViewOptions): WorkspaceClient {
  if (client?.key !== options.apiKey) {
    client = {
      key: options.apiKey,
      client: createWorkspaceClient({ baseUrl: options.apiBase, apiKey: options.apiKey }),
    };
  }
  return client.client;
}

/** The one deal drawer of the page, opened by any view and by `?deal=` in the URL. */
function drawer(options: ViewOptions): HTMLElementTagNameMap['rapport-deal-drawer'] {
  let element = document.querySelector('rapport-deal-drawer');
  if (!element) {
    element = document.createElement('rapport-deal-drawer');
    element.addEventListener('rapport-drawer-closed', () => {
      const closed = options.state.deal;
      options.state.deal = '';
      options.onStateChange();
      // Back to the card the deal was opened from, so the keyboard goes on where it was.
      if (closed) document.querySelector('rapport-pipeline-board')?.focusDeal(closed);
    });
    element.addEventListener('rapport-deal-changed', () => {
      options.onDealChanged();
      document.querySelector('rapport-pipeline-board')?.reload();
    });
    document.body.append(element);
  }
  element.client = clientFor(options);
  element.lang = options.lang;
  return element;
}

/**
 * Shows a workspace component in `content` (the KPI dashboard draws itself): the pipeline
 * board, the leads list, the at-risk deals or the forecast, with the app's filters.
 */
export function mountView(content: HTMLElement, options: ViewOptions): void {
  const api = clientFor(options);
  const openDeal = (id: string) => {
    options.state.deal = id;
    options.onStateChange();
    drawer(options).dealId = id;
  };
  const onOpen = (event: Event) => {
    if (event instanceof CustomEvent && typeof event.detail?.id === 'string')
      openDeal(event.detail.id);
  };
  let element: HTMLElement;
  switch (options.view) {
    case 'board': {
      const board = document.createElement('rapport-pipeline-board');
      board.client = api;
      board.owners = options.owners;
      board.addEventListener('rapport-open-deal', onOpen);
      board.addEventListener('rapport-deal-changed', options.onDealChanged);
      element = board;
      break;
    }
    case 'leads': {
      const leads = document.createElement('rapport-leads-list');
      leads.client = api;
      leads.sort = options.state.leadSort;
      leads.status = options.state.leadStatus;
      leads.source = options.state.leadSource;
      leads.owners = options.owners;
      leads.addEventListener('rapport-filters-changed', () => {
        options.state.leadSort = leads.sort;
        options.state.leadStatus = leads.status;
        options.state.leadSource = leads.source;
        options.onStateChange();
      });
      leads.addEventListener('rapport-lead-converted', options.onDealChanged);
      element = leads;
      break;
    }
    case 'risk': {
      const risk = document.createElement('rapport-at-risk-list');
      risk.client = api;
      risk.currency = options.currency;
      risk.owners = options.owners;
      risk.page = options.state.riskPage;
      risk.addEventListener('rapport-open-deal', onOpen);
      risk.addEventListener('rapport-page-changed', () => {
        options.state.riskPage = risk.page;
        options.onStateChange();
      });
      element = risk;
      break;
    }
    case 'forecast': {
      const forecast = document.createElement('rapport-forecast-view');
      forecast.client = api;
      forecast.period = options.period;
      forecast.currency = options.currency;
      forecast.owners = options.owners;
      element = forecast;
      break;
    }
    default:
      return;
  }
  element.setAttribute('lang', options.lang);
  element.dataset.view = options.view;
  content.replaceChildren(element);
  if (options.state.deal) drawer(options).dealId = options.state.deal;
}
