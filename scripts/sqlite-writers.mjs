#!/usr/bin/env node
// The full multi-process proof of issue 12.5: 4 writer processes x 150 optimistic updates of
// shared records on one SQLite file (npm test runs 4 x 40). Usage: node scripts/sqlite-writers.mjs
import { spawnSync } from 'node:child_process';

const result = spawnSync(
  'npx',
  ['vitest', 'run', 'packages/sqlite/src/writers/multi-process-writers.test.ts'],
  { stdio: 'inherit', env: { ...process.env, RAPPORT_WRITERS_FULL: '1' } },
);
process.exit(result.status ?? 1);
