/**
 * `@rapport/testing`: the storage conformance suite every adapter runs and the KPI conformance
 * suite every KPI plugin runs, plus (re-exported from `@rapport/sample-data`) the seeded data
 * generator and the Maven CRM sample data.
 *
 * @packageDocumentation
 */
export * from '@rapport/sample-data';
export * from './conformance/index.js';
export * from './kpi-conformance/index.js';
export * from './rollup-conformance/index.js';
