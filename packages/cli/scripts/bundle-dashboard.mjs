#!/usr/bin/env node
// Builds the workspace app (examples/dashboard) into dist/dashboard, so the published CLI
// serves it: `rapport serve` from an installed package finds it beside its own code.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../../../examples/dashboard/', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/dashboard/', import.meta.url));
await build({ root, logLevel: 'error', build: { outDir, emptyOutDir: true } });
