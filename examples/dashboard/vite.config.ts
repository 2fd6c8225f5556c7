import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The dashboard is static files; `rapport serve` serves them beside the API at /api. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://127.0.0.1:4310' } },
});
