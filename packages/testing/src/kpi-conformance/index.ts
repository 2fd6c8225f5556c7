export { describeKpiConformance } from './describe-kpi-conformance.js';
export type { KpiConformanceOptions } from './kpi-conformance-context.js';
export { countQueries, type QueryLog } from './query-counter.js';
