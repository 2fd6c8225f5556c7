/**
 * `@rapport/testing`: the storage conformance suite every adapter runs, a seeded data generator,
 * and the Maven CRM sample data as a fixture.
 *
 * @packageDocumentation
 */
export * from './conformance/index.js';
export * from './fixtures/index.js';
export * from './generator/index.js';
export * from './kpi-conformance/index.js';
