import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  type AnyRapportPlugin,
  type Crm,
  copyStorage,
  createCrm,
  type RapportStorage,
} from '@rapport/core';
import {
  createApiKeyStore,
  httpPlugin,
  type RapportServer,
  startRapportServer,
} from '@rapport/http';
import { postgresStorage } from '@rapport/postgres';
import { sqliteStorage } from '@rapport/sqlite';
import pg from 'pg';
import { median, now, percentile } from './bench-stats.js';
import { benchNow, benchTenant } from './dataset.js';

/** One storage's figures: medians over the rounds, and the median of each round's own ratio. */
export interface HttpVariantResult {
  /** `sqlite, 2 readers`, `sqlite, no readers`, `postgres`. */
  readonly name: string;
  /** `GET /opportunities?limit=50` p50 on an idle server, ms (median over rounds). */
  readonly idleP50: number;
  /** The same request's p50 while the dashboards are being computed, ms (median over rounds). */
  readonly busyP50: number;
  /** busy p50 / idle p50 of each round, then the median: both halves measured back to back. */
  readonly ratio: number;
  /** The slowest list request while busy, over all rounds, ms. */
  readonly busyMax: number;
  /** How long the dashboards took, all of them in flight at once, ms (median over rounds). */
  readonly dashboardsMs: number;
  /** The event loop's delay p99 while the dashboards ran, ms (median over rounds). */
  readonly loopDelayP99: number;
  /** Each round's figures, in the order they ran. */
  readonly runs: readonly RoundFigures[];
}

/** What a user of `rapport serve` feels: a list request alone, and while dashboards compute. */
export interface HttpResult {
  /** List requests made in each phase of a round. */
  readonly requests: number;
  /** Dashboards in flight during the busy phase. */
  readonly dashboards: number;
  /** Rounds; each runs every storage once, in an order that alternates round by round. */
  readonly rounds: number;
  readonly variants: readonly HttpVariantResult[];
  /** Why Postgres was not measured (no server), if it was not. */
  readonly postgresSkipped?: string;
}

/** Options of {@link httpBench}. */
export interface HttpBenchOptions {
  readonly requests: number;
  readonly dashboards: number;
  readonly rounds: number;
  /** A Postgres server to copy the dataset to (`RAPPORT_PG_URL`); none skips that side. */
  readonly postgresUrl?: string;
  /** The schema the copy lives in (made again when the dataset changed). */
  readonly postgresSchema?: string;
  /** Why Postgres is left out this time (a size too large to copy), if it is. */
  readonly skipPostgres?: string;
  /** The Postgres pool's `reservedConnections` (of 10); the storage's default when left out. */
  readonly postgresReserved?: number;
}

interface Served {
  readonly name: string;
  readonly crm: Crm;
  readonly server: RapportServer;
  /**
   * Fresh keys, as many users: a server started later on the same file revokes the serve key,
   * one key may run 2 evaluations at once and makes 20 requests a second after a burst of 120.
   */
  readonly newKey: () => Promise<string>;
}

/** One round on one server. */
export interface RoundFigures {
  readonly idleP50: number;
  readonly busyP50: number;
  readonly busyMax: number;
  readonly dashboardsMs: number;
  /** The event loop's delay while busy, p99 in ms: how long a request waited for the loop. */
  readonly loopDelayP99: number;
}

async function serve(
  name: string,
  storage: RapportStorage,
  plugins: readonly AnyRapportPlugin[],
): Promise<Served> {
  const crm = createCrm({ storage, plugins: [httpPlugin, ...plugins], now: () => benchNow });
  await crm.migrate();
  const server = await startRapportServer({ crm, tenantId: benchTenant.id, port: 0 });
  const keys = createApiKeyStore(crm);
  const newKey = async () =>
    (await keys.createSystemKey({ tenantId: benchTenant.id, name: `bench ${name}` })).key;
  return { name, crm, server, newKey };
}

/**
 * The SQLite dataset copied into a Postgres schema, analyzed. The schema's comment names the
 * dataset it holds (its generation marker), so a later run on the same dataset reuses the copy:
 * at 100,000 opportunities the copy takes minutes. The served engine migrates it like the file.
 */
export async function postgresCopy(
  file: string,
  plugins: readonly AnyRapportPlugin[],
  url: string,
  schema: string,
  reservedConnections: number | undefined,
): Promise<RapportStorage> {
  const reserved = reservedConnections === undefined ? {} : { reservedConnections };
  const markerFile = `${file}.json`;
  const marker = existsSync(markerFile)
    ? createHash('sha256').update(readFileSync(markerFile)).digest('hex')
    : undefined;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ comment: string | null }>(
      `select obj_description(oid, 'pg_namespace') as comment from pg_namespace where nspname = $1`,
      [schema],
    );
    if (marker !== undefined && rows[0]?.comment === marker) {
      return postgresStorage({
        connectionString: url,
        schema,
        max: 10,
        ...reserved,
      });
    }
    await admin.query(`drop schema if exists "${schema}" cascade`);
    const source = createCrm({ storage: sqliteStorage({ filename: file, readers: 0 }), plugins });
    const storage = postgresStorage({
      connectionString: url,
      schema,
      max: 10,
      ...reserved,
    });
    const target = createCrm({ storage, plugins });
    try {
      await copyStorage(source, target, { batchSize: 2000 });
    } finally {
      await source.destroy();
    }
    await storage.pool.query(`analyze`);
    // The copy's engine is done; the served one makes its own pool.
    await target.destroy();
    if (marker !== undefined) await admin.query(`comment on schema "${schema}" is '${marker}'`);
    return postgresStorage({
      connectionString: url,
      schema,
      max: 10,
      ...reserved,
    });
  } finally {
    await admin.end();
  }
}

/** Undefined when a Postgres server answers at `url`, else why not. */
export async function postgresReachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * fetch, sent again once when the socket closed under it: a pooled keep-alive connection that sat
 * idle between rounds can be closed by the server (its keep-alive timeout) as it is reused.
 */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    if (code !== 'UND_ERR_SOCKET') throw error;
    return fetch(url, init);
  }
}

/** One round on one server: lists alone, then lists while `dashboards` dashboards compute. */
async function round(
  { server, newKey }: Served,
  period: string,
  requests: number,
  dashboards: number,
): Promise<RoundFigures> {
  const dashboardKeys = await Promise.all(Array.from({ length: dashboards }, newKey));
  // A new key every 100 lists: one key may make 120 requests at once, then 20 a second.
  let headers = { authorization: '' };
  let listed = 0;
  const list = async (): Promise<number> => {
    if (listed++ % 100 === 0) headers = { authorization: `Bearer ${await newKey()}` };
    const start = now();
    const response = await send(`${server.apiUrl}/opportunities?limit=50`, { headers });
    if (!response.ok) throw new Error(`list: HTTP ${response.status}`);
    await response.arrayBuffer();
    return now() - start;
  };
  for (let i = 0; i < 3; i++) await list();
  const idle: number[] = [];
  for (let i = 0; i < requests; i++) idle.push(await list());
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const dashboardStart = now();
  let pending = dashboards;
  const evaluations = dashboardKeys.map((key) =>
    send(`${server.apiUrl}/kpis/evaluate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ period }),
    })
      .then(async (response) => {
        if (!response.ok) throw new Error(`evaluate: HTTP ${response.status}`);
        await response.arrayBuffer();
      })
      .finally(() => {
        pending -= 1;
      }),
  );
  const busy: number[] = [];
  try {
    while (pending > 0 && busy.length < requests * 10) busy.push(await list());
  } finally {
    // Before the servers close: a failed list must not leave the dashboards' requests dangling.
    await Promise.allSettled(evaluations);
  }
  await Promise.all(evaluations);
  loop.disable();
  return {
    loopDelayP99: loop.percentile(99) / 1e6,
    idleP50: percentile(idle, 50),
    busyP50: percentile(busy, 50),
    busyMax: Math.max(...busy),
    dashboardsMs: now() - dashboardStart,
  };
}

/**
 * Starts the API (loopback, port 0) on the benchmark database three ways: SQLite with its
 * default reader threads, SQLite with `readers: 0` (every statement on the event loop's one
 * connection, as before issue 14) and, when a server is reachable, Postgres over a copy of the
 * same rows. Each round times `GET /opportunities?limit=50` alone, then back to back while
 * `dashboards` full dashboards (`POST /kpis/evaluate`, every KPI) are in flight, on every
 * server in turn; the order alternates round by round and each round's busy/idle ratio is taken
 * on its own, so a change in the machine's load skews both halves alike. The target of issue
 * 14: busy p50 <= 2 x idle p50.
 *
 * @example
 * const http = await httpBench(file, plugins, '2026', { requests: 20, dashboards: 4, rounds: 3 });
 */
export async function httpBench(
  file: string,
  plugins: readonly AnyRapportPlugin[],
  period: string,
  options: HttpBenchOptions,
): Promise<HttpResult> {
  const { requests, dashboards, rounds } = options;
  const served: Served[] = [];
  let postgresSkipped: string | undefined;
  try {
    served.push(await serve('sqlite, readers', sqliteStorage({ filename: file }), plugins));
    served.push(
      await serve('sqlite, no readers', sqliteStorage({ filename: file, readers: 0 }), plugins),
    );
    const url = options.postgresUrl;
    postgresSkipped =
      options.skipPostgres ?? (url ? await postgresReachable(url) : 'no RAPPORT_PG_URL');
    if (url && postgresSkipped === undefined) {
      const storage = await postgresCopy(
        file,
        plugins,
        url,
        options.postgresSchema ?? 'rapport_bench_http',
        options.postgresReserved,
      );
      served.push(await serve('postgres', storage, plugins));
    }
    const figures = new Map<string, RoundFigures[]>(served.map(({ name }) => [name, []]));
    for (let index = 0; index < rounds; index++) {
      const order = index % 2 === 0 ? served : [...served].reverse();
      for (const side of order) {
        figures.get(side.name)?.push(await round(side, period, requests, dashboards));
      }
    }
    return {
      requests,
      dashboards,
      rounds,
      variants: served.map(({ name }) => {
        const runs = figures.get(name) ?? [];
        return {
          name,
          idleP50: median(runs.map((run) => run.idleP50)),
          busyP50: median(runs.map((run) => run.busyP50)),
          ratio: median(runs.map((run) => run.busyP50 / run.idleP50)),
          busyMax: Math.max(...runs.map((run) => run.busyMax)),
          dashboardsMs: median(runs.map((run) => run.dashboardsMs)),
          loopDelayP99: median(runs.map((run) => run.loopDelayP99)),
          runs,
        };
      }),
      ...(postgresSkipped === undefined ? {} : { postgresSkipped }),
    };
  } finally {
    for (const { crm, server } of served) {
      await server.close();
      await crm.destroy();
    }
  }
}

/** The result as log lines, one per server. */
export function httpLines(http: HttpResult): string[] {
  return [
    ...http.variants.map(
      (v) =>
        `${v.name}: idle p50 ${v.idleP50.toFixed(1)} ms, busy p50 ${v.busyP50.toFixed(1)} ms (${v.ratio.toFixed(1)}x, max ${v.busyMax.toFixed(0)} ms), ${http.dashboards} dashboards ${v.dashboardsMs.toFixed(0)} ms, event loop delay p99 ${v.loopDelayP99.toFixed(0)} ms; rounds ${v.runs.map((run) => `${run.idleP50.toFixed(1)}/${run.busyP50.toFixed(1)}`).join(', ')}`,
    ),
    ...(http.postgresSkipped ? [`postgres not run: ${http.postgresSkipped}`] : []),
  ];
}
