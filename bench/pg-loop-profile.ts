/**
 * Why a list request on Postgres is slower while dashboards compute, one storage setting against
 * another: `rapport serve`'s API on the Postgres schema that `npm run bench:http` filled
 * (`RAPPORT_BENCH_PG_SCHEMA`, default `h_pgloop_bench_100000`), `GET /opportunities?limit=50`
 * alone and while 4 dashboards run (as http-bench.ts), per round: list p50/p90/max, the event
 * loop's delay and utilisation, and the process's CPU time beside what the lists alone would
 * use (their CPU per request when idle), which tells the dashboards' own work on the loop from
 * the machine's load. `--statements` adds, per SQL text, the rows returned, the time in pg's
 * row handling and the send-to-rows time of the list request's three statements.
 * `--variants default,reserved=6,noparallel` compares storages (reservedConnections, or
 * `max_parallel_workers_per_gather=0`) round by round in alternating order.
 *
 * Usage: node --import tsx bench/pg-loop-profile.ts [--rounds 3] [--variants default,reserved=6]
 *   [--statements] [--schema s] [--dashboards 4] [--requests 20] [--period 2026]
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCrm } from '@rapport/core';
import { createApiKeyStore, httpPlugin, startRapportServer } from '@rapport/http';
import { postgresStorage } from '@rapport/postgres';
import pg from 'pg';
import { median, now, percentile } from './bench-stats.js';
import { benchNow, benchTenant } from './dataset.js';
import { discoverPlugins } from './kpi-plugins.js';

const { values } = parseArgs({
  options: {
    schema: {
      type: 'string',
      default: process.env.RAPPORT_BENCH_PG_SCHEMA ?? 'h_pgloop_bench_100000',
    },
    rounds: { type: 'string', default: '3' },
    dashboards: { type: 'string', default: '4' },
    requests: { type: 'string', default: '20' },
    period: { type: 'string', default: '2026' },
    statements: { type: 'boolean', default: false },
    // Comma-separated storages to compare, round by round in alternating order: `default`,
    // `reserved=N` (reservedConnections), `noparallel` (max_parallel_workers_per_gather=0).
    variants: { type: 'string', default: 'default' },
  },
});
const url = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

// Per SQL text: rows returned, and the main thread's time in pg's row handling (parseRow).
const perText = new Map<
  string,
  { rows: number; runs: number; parseMs: number; wallMs: number; walls: number[] }
>();
const entryOf = (text: string) => {
  let entry = perText.get(text);
  if (!entry) {
    entry = { rows: 0, runs: 0, parseMs: 0, wallMs: 0, walls: [] };
    perText.set(text, entry);
  }
  return entry;
};
if (values.statements) {
  // Each statement's time from its send to its rows, on a pooled client (kysely's promise form).
  // Casts: the overloads of Client#query, wrapped as one variadic function and put back.
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const result = query.apply(this, args);
    const text = typeof args[0] === 'string' ? args[0] : undefined;
    if (text && result instanceof Promise) {
      const start = performance.now();
      result.then(
        () => {
          const entry = entryOf(text);
          entry.runs++;
          entry.wallMs += performance.now() - start;
          entry.walls.push(performance.now() - start);
        },
        () => undefined,
      );
    }
    return result;
  } as typeof pg.Client.prototype.query;
  // The wait for a pooled connection (the ReservingDriver takes one per statement), as a text of
  // its own: with the list's statements' times it tells a wait for a connection from one for the
  // server, and what is left of a list's time is this process's (CPU, the event loop).
  const connect = pg.Pool.prototype.connect as (...args: unknown[]) => unknown;
  pg.Pool.prototype.connect = function (this: pg.Pool, ...args: unknown[]) {
    const start = performance.now();
    const result = connect.apply(this, args);
    if (result instanceof Promise) {
      result.then(
        () => {
          const entry = entryOf('(wait for a pooled connection)');
          entry.runs++;
          entry.wallMs += performance.now() - start;
          entry.walls.push(performance.now() - start);
        },
        () => undefined,
      );
    }
    return result;
  } as typeof pg.Pool.prototype.connect;
  // pg's Query object: its row handling is the synchronous part of a statement on the loop.
  // Casts: pg exports Query at run time but not in its types; handleDataRow is internal.
  const Query = (pg as unknown as { Query: { prototype: Record<string, unknown> } }).Query;
  const handleDataRow = Query.prototype.handleDataRow as (
    this: { text: string },
    m: unknown,
  ) => void;
  Query.prototype.handleDataRow = function (this: { text: string }, message: unknown) {
    const start = performance.now();
    handleDataRow.call(this, message);
    const entry = entryOf(this.text);
    entry.rows++;
    entry.parseMs += performance.now() - start;
  };
}

/** The p50 of the list request's statements (send to rows), to tell Postgres' time from the loop's. */
function printListStatements(phase: string): void {
  const parts = [...perText]
    .filter(([, entry]) => entry.runs >= 10)
    .map(
      ([text, entry]) => `${text.slice(0, 40)}: p50 ${percentile(entry.walls, 50).toFixed(1)} ms`,
    );
  console.log(`${phase} statements: ${parts.join('; ')}`);
}

const { plugins } = await discoverPlugins();

interface Variant {
  readonly name: string;
  readonly crm: ReturnType<typeof createCrm>;
  readonly server: Awaited<ReturnType<typeof startRapportServer>>;
  readonly newKey: () => Promise<string>;
  readonly pool: import('pg').Pool;
  readonly figures: {
    idle: number;
    busy: number;
    p90: number;
    mean: number;
    ms: number;
    p99: number;
    max: number;
  }[];
}

async function variant(name: string): Promise<Variant> {
  const [kind, argument] = name.split('=');
  const connectionString =
    kind === 'noparallel' ? `${url}?options=-c%20max_parallel_workers_per_gather%3D0` : url;
  const storage = postgresStorage({
    connectionString,
    schema: values.schema,
    max: 10,
    ...(kind === 'reserved' ? { reservedConnections: Number(argument) } : {}),
  });
  const crm = createCrm({ storage, plugins: [httpPlugin, ...plugins], now: () => benchNow });
  await crm.migrate();
  const server = await startRapportServer({ crm, tenantId: benchTenant.id, port: 0 });
  const keys = createApiKeyStore(crm);
  const newKey = async () =>
    (await keys.createSystemKey({ tenantId: benchTenant.id, name: 'pg-loop' })).key;
  return { name, crm, server, newKey, pool: storage.pool, figures: [] };
}

const variants: Variant[] = [];
for (const name of (values.variants ?? 'default').split(',')) variants.push(await variant(name));
const dashboards = Number(values.dashboards);
const requests = Number(values.requests);
console.log(`load average before: ${load()}`);

async function round({ name, server, newKey, figures, pool }: Variant, r: number): Promise<void> {
  let listStart = 0;
  const watchdog = setInterval(() => {
    if (listStart > 0 && now() - listStart > 1000)
      console.log(
        `  list in flight ${(now() - listStart).toFixed(0)} ms: pool total ${pool.totalCount}, idle ${pool.idleCount}, waiting ${pool.waitingCount}`,
      );
  }, 1000);
  const dashboardKeys = await Promise.all(Array.from({ length: dashboards }, newKey));
  // A new key every 100 lists, as http-bench.ts: a key may make 120 requests at once, then 20 a second.
  let headers = { authorization: '' };
  let listed = 0;
  const list = async () => {
    if (listed++ % 100 === 0) headers = { authorization: `Bearer ${await newKey()}` };
    const start = now();
    listStart = start;
    const response = await fetch(`${server.apiUrl}/opportunities?limit=50`, { headers });
    if (!response.ok) throw new Error(`list: HTTP ${response.status}`);
    await response.arrayBuffer();
    listStart = 0;
    return now() - start;
  };
  for (let i = 0; i < 3; i++) await list();
  const idle: number[] = [];
  perText.clear();
  const idleCpu = process.cpuUsage();
  for (let i = 0; i < requests; i++) idle.push(await list());
  const idleUsed = process.cpuUsage(idleCpu);
  const cpuPerList = (idleUsed.user + idleUsed.system) / 1000 / requests;
  if (values.statements) printListStatements('idle');
  perText.clear();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const start = now();
  let pending = dashboards;
  const evaluations = dashboardKeys.map((key) =>
    fetch(`${server.apiUrl}/kpis/evaluate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ period: values.period }),
    })
      .then(async (response) => {
        if (!response.ok)
          throw new Error(`evaluate: HTTP ${response.status} ${await response.text()}`);
        return (await response.arrayBuffer()).byteLength;
      })
      .finally(() => {
        pending -= 1;
      }),
  );
  const busy: number[] = [];
  while (pending > 0) busy.push(await list());
  const sizes = await Promise.all(evaluations);
  clearInterval(watchdog);
  loop.disable();
  const used = performance.eventLoopUtilization(elu);
  const cpuMs = process.cpuUsage(cpu);
  const figure = {
    idle: percentile(idle, 50),
    busy: percentile(busy, 50),
    p90: percentile(busy, 90),
    mean: busy.reduce((a, b) => a + b, 0) / busy.length,
    ms: now() - start,
    p99: loop.percentile(99) / 1e6,
    max: loop.max / 1e6,
  };
  figures.push(figure);
  console.log(
    `${name} round ${r + 1}: idle p50 ${figure.idle.toFixed(1)} ms, busy p50 ${figure.busy.toFixed(1)} ms (${(figure.busy / figure.idle).toFixed(1)}x, ${busy.length} lists, p90 ${figure.p90.toFixed(0)}, mean ${figure.mean.toFixed(0)}, max ${Math.max(...busy).toFixed(0)} ms), dashboards ${figure.ms.toFixed(0)} ms (${sizes[0]} bytes each), loop delay p99 ${figure.p99.toFixed(0)} ms, max ${figure.max.toFixed(0)} ms, loop utilisation ${used.utilization.toFixed(2)}, process CPU ${((cpuMs.user + cpuMs.system) / 1000).toFixed(0)} ms (lists ~${(cpuPerList * busy.length).toFixed(0)}); load ${load()}`,
  );
  if (values.statements) printListStatements('busy');
}

for (let r = 0; r < Number(values.rounds); r++) {
  for (const v of r % 2 === 0 ? variants : [...variants].reverse()) await round(v, r);
}
for (const { name, figures } of variants) {
  console.log(
    `${name} median: idle ${median(figures.map((f) => f.idle)).toFixed(1)} ms, busy ${median(figures.map((f) => f.busy)).toFixed(1)} ms, ratio ${median(figures.map((f) => f.busy / f.idle)).toFixed(1)}x, p90 ${median(figures.map((f) => f.p90)).toFixed(0)} ms, mean ${median(figures.map((f) => f.mean)).toFixed(0)} ms, loop p99 ${median(figures.map((f) => f.p99)).toFixed(0)} ms, dashboards ${median(figures.map((f) => f.ms)).toFixed(0)} ms`,
  );
}
if (values.statements) {
  for (const [text, entry] of [...perText].sort((a, b) => b[1].wallMs - a[1].wallMs).slice(0, 12))
    console.log(
      `${entry.parseMs.toFixed(0).padStart(6)} ms parse ${String(entry.rows).padStart(6)} rows ${String(entry.runs).padStart(4)} runs ${(entry.wallMs / Math.max(1, entry.runs)).toFixed(1).padStart(8)} ms each  ${text.replace(/\s+/g, ' ').slice(0, 140)}`,
    );
}
for (const { server, crm } of variants) {
  await server.close();
  await crm.destroy();
}
console.log(`load average after: ${load()}`);
