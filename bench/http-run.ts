/**
 * `npm run bench:http -- [--size 10000] [--rounds 3] [--period 2026] [--pg-reserved 2]`: only
 * the HTTP measurement
 * of `npm run bench` (a list GET idle and during 4 dashboards, SQLite with and without readers,
 * Postgres when reachable) on the cached benchmark database of one size, printed with the load
 * average. For a quick look at one change without the whole run.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { httpPlugin } from '@rapport/http';
import { ensureDataset, migrateDataset } from './dataset.js';
import { httpBench, httpLines } from './http-bench.js';
import { discoverPlugins } from './kpi-plugins.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    period: { type: 'string', default: '2026' },
    seed: { type: 'string', default: '1' },
    'pg-reserved': { type: 'string' },
  },
});
const size = Number(values.size);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
const { plugins } = await discoverPlugins();
const dataset = await ensureDataset('bench/data', size, Number(values.seed), console.log);
await migrateDataset(dataset.file, [httpPlugin, ...plugins]);
console.log(`${size.toLocaleString('en')} opportunities, load average before: ${load()}`);
const http = await httpBench(dataset.file, plugins, values.period ?? '2026', {
  requests: 20,
  dashboards: 4,
  rounds: Number(values.rounds),
  postgresUrl: process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  postgresSchema: process.env.RAPPORT_BENCH_PG_SCHEMA ?? `rapport_bench_http_${size}`,
  ...(values['pg-reserved'] === undefined
    ? {}
    : { postgresReserved: Number(values['pg-reserved']) }),
});
for (const line of httpLines(http)) console.log(line);
console.log(`load average after: ${load()}`);
