import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

/**
 * Shared build options for every package: run from a package folder (`tsup --config ../../tsup.config.ts`).
 * Builds ESM and CJS with declarations for both; a package with a `bin` also gets `src/bin.ts`.
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin?: Record<string, string> };
const entry = ['src/index.ts'];
if (pkg.bin && existsSync('src/bin.ts')) entry.push('src/bin.ts');

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  // import.meta.url in the CJS build too (fixtures are found relative to the module).
  shims: true,
  treeshake: true,
  tsconfig: 'tsconfig.json',
});
