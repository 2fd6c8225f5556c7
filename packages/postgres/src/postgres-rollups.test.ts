import { describeRollupConformance } from '@rapport/testing';
import { afterAll } from 'vitest';
import { createTestDatabase, describePostgres } from './test-database.js';

// Schemas named rapport_rollups_*, apart from every other suite's.
const database = createTestDatabase('rollups');
afterAll(() => database.cleanup());

describePostgres('on a real server', () => {
  describeRollupConformance('postgres', () => database.storage());
});
