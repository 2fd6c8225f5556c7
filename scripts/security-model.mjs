#!/usr/bin/env node
// The full model-based test of issue 12 (proof a): at least 10,000 random operations of every
// role over two tenants (npm test runs 600). Also runs the tests that wait on core's fixes
// (reference-visibility) at the same size. Usage: node scripts/security-model.mjs [operations]
import { spawnSync } from 'node:child_process';

const operations = process.argv[2] ?? '10000';
const result = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    'packages/testing/src/security/security-model.test.ts',
    'packages/testing/src/security/reference-visibility.test.ts',
  ],
  { stdio: 'inherit', env: { ...process.env, RAPPORT_MODEL_OPS: operations } },
);
process.exit(result.status ?? 1);
