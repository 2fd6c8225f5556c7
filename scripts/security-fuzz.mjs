#!/usr/bin/env node
// The full fuzz of issue 12 (proof c): 10,000 generated bad requests over every route of
// @rapport/http (npm test sends 1,500). Usage: node scripts/security-fuzz.mjs [count]
import { spawnSync } from 'node:child_process';

const count = process.argv[2] ?? '10000';
const result = spawnSync(
  'npx',
  ['vitest', 'run', 'packages/http/src/security/bad-requests.test.ts'],
  { stdio: 'inherit', env: { ...process.env, RAPPORT_FUZZ_REQUESTS: count } },
);
process.exit(result.status ?? 1);
