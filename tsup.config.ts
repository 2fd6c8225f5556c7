import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

/**
 * Shared build options for every package: run from a package folder (`tsup --config ../../tsup.config.ts`).
 * Builds ESM and CJS with declarations for both; a package with a `bin` also gets `src/bin.ts`.
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
};
const entry = ['src/index.ts'];
if (pkg.bin && existsSync('src/bin.ts')) entry.push('src/bin.ts');
// A subpath export `./plugin` is built from `src/plugin.ts`.
const subpaths = Object.keys(pkg.exports ?? {})
  .filter((key) => key !== '.' && key !== './package.json')
  .map((key) => `src/${key.slice(2)}.ts`);
entry.push(...subpaths);

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Subpath entries share one copy of the code (one RapportError class, one engine registry).
  splitting: subpaths.length > 0,
  // import.meta.url in the CJS build too (fixtures are found relative to the module).
  shims: true,
  treeshake: true,
  tsconfig: 'tsconfig.json',
});
