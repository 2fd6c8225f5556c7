/** The views of the workspace app. */
export const views = ['kpis', 'board', 'leads', 'risk', 'forecast'] as const;
/** One view. */
export type View = (typeof views)[number];

/** What the URL keeps: the view, period, filters and the open deal, so a link restores them. */
export interface UrlState {
  view: View;
  lang: 'en' | 'de' | null;
  period: string;
  owner: string;
  product: string;
  team: string;
  deal: string;
  leadSort: string;
  leadStatus: string;
  leadSource: string;
  riskPage: number;
}

/** The state in a query string (`?view=board&period=2026-Q3&team=...`). */
export function readUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  const lang = params.get('lang');
  const page = Number(params.get('page') ?? '1');
  return {
    view: views.find((v) => v === view) ?? 'kpis',
    lang: lang === 'de' || lang === 'en' ? lang : null,
    period: params.get('period') ?? '',
    owner: params.get('owner') ?? '',
    product: params.get('product') ?? '',
    team: params.get('team') ?? '',
    deal: params.get('deal') ?? '',
    leadSort: params.get('sort') ?? '-createdAt',
    leadStatus: params.get('status') ?? '',
    leadSource: params.get('source') ?? '',
    riskPage: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

/** The query string of a state; defaults are left out so links stay short. */
export function writeUrlState(state: UrlState): string {
  const params = new URLSearchParams();
  if (state.view !== 'kpis') params.set('view', state.view);
  if (state.lang) params.set('lang', state.lang);
  if (state.period) params.set('period', state.period);
  if (state.owner) params.set('owner', state.owner);
  if (state.product) params.set('product', state.product);
  if (state.team) params.set('team', state.team);
  if (state.deal) params.set('deal', state.deal);
  if (state.view === 'leads') {
    if (state.leadSort !== '-createdAt') params.set('sort', state.leadSort);
    if (state.leadStatus) params.set('status', state.leadStatus);
    if (state.leadSource) params.set('source', state.leadSource);
  }
  if (state.view === 'risk' && state.riskPage > 1) params.set('page', String(state.riskPage));
  const query = params.toString();
  return query ? `?${query}` : '';
}
