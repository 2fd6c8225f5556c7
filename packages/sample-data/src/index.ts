/**
 * `@rapport/sample-data`: demo and benchmark data for Rapport without a test runner: a seeded
 * generator of a whole CRM (users, accounts, leads, opportunities, stage history, activities)
 * and the Maven Analytics "CRM Sales Opportunities" data set (public domain) with its importer.
 * The `rapport demo` command runs on it; `@rapport/testing` re-exports it.
 *
 * @packageDocumentation
 */
export * from './fixtures/index.js';
export * from './generator/index.js';
