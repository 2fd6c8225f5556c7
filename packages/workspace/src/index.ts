/**
 * The Rapport sales workspace as web components, for any framework or none: import this module
 * once and use the elements. Each takes `api-base` and `api-key` (or a `client` property), and
 * `lang` (en or de); style them with the `--rapport-*` CSS variables.
 *
 * @packageDocumentation
 */
export {
  type Activity,
  ApiProblem,
  allPages,
  call,
  createWorkspaceClient,
  ifMatch,
  type Lead,
  type Opportunity,
  type Pipeline,
  type Problem,
  type User,
  type WorkspaceClient,
  type WorkspaceClientOptions,
} from './api/api-client.js';
export type { components as ApiComponents, paths as ApiPaths } from './api/api-types.js';
export { retryingAfter429 } from './api/retry-after.js';
export { AtRiskList } from './at-risk/at-risk-list.js';
export { type BoardColumn, boardColumns, closingStage } from './board/board-columns.js';
export { PipelineBoard } from './board/pipeline-board.js';
export { DealDrawer } from './drawer/deal-drawer.js';
export { type LineItem, LineItemsEditor } from './drawer/line-items-editor.js';
export { ForecastView } from './forecast/forecast-view.js';
export {
  formatDay,
  formatMoney,
  formatMonth,
  formatPercent,
  issueMessage,
  kpiReason,
  localeOf,
  problemMessage,
  stringsOf,
  type WorkspaceLang,
  type WorkspaceStrings,
} from './i18n/messages.js';
export { LeadsList } from './leads/leads-list.js';
export {
  type HierarchyUser,
  hierarchyLabel,
  type OwnerNode,
  ownerHierarchy,
  withReports,
} from './owners/owner-hierarchy.js';
export { type AtRiskDeal, atRiskDealOf, loadAtRiskDeals } from './shared/risk-reasons.js';
export { type LoadState, WorkspaceElement } from './shared/workspace-element.js';
