import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The dashboard is static files; `rapport serve` serves them beside the API at /api. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // The workspace components from their sources, so the app builds without building them first.
  resolve: {
    alias: {
      '@rapport/workspace': fileURLToPath(
        new URL('../../packages/workspace/src/index.ts', import.meta.url),
      ),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://127.0.0.1:4310' } },
});
