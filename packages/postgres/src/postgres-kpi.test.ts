import { describeKpiConformance } from '@rapport/testing';
import { afterAll } from 'vitest';
import { createTestDatabase, describePostgres } from './test-database.js';

const database = createTestDatabase('kpi');
afterAll(() => database.cleanup());

// The same KPI cases as @rapport/sqlite, with the same hand-computed values: KPIs agree on both.
describePostgres('on a real server', () => {
  describeKpiConformance('postgres', () => database.storage());
  // The same cases and hand-computed values with KPIs read from kept rollups.
  describeKpiConformance('postgres', () => database.storage(), { rollups: true });
});
