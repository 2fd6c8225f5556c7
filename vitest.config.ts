import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources, so `npm test` needs no build of the library packages.
    alias: [
      { find: /^@rapport\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
      // Subpath exports (`@rapport/core/plugin`) are files of the same name in src.
      { find: /^@rapport\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts', 'examples/*/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
