import { type AnyRapportPlugin, createCrm } from '@rapport/core';
import { httpPlugin, startRapportServer } from '@rapport/http';
import { sqliteStorage } from '@rapport/sqlite';
import { now, percentile } from './bench-stats.js';
import { benchTenant } from './dataset.js';

/** What a user of `rapport serve` feels: a list request alone, and while dashboards compute. */
export interface HttpResult {
  /** List requests made in each phase. */
  readonly requests: number;
  /** Dashboards in flight during the busy phase. */
  readonly dashboards: number;
  /** `GET /opportunities?limit=50` p50 on an idle server, ms. */
  readonly idleP50: number;
  /** The same request's p50 while the dashboards are being computed, ms. */
  readonly busyP50: number;
  /** The slowest list request while busy, ms. */
  readonly busyMax: number;
  /** How long the dashboards took, all of them in flight at once, ms. */
  readonly dashboardsMs: number;
}

/**
 * Starts the API on the benchmark database (loopback, port 0), times `GET /opportunities?limit=50`
 * alone, then again back to back while `dashboards` full dashboards (`POST /kpis/evaluate`, every
 * KPI) are in flight. The target of issue 14: busy p50 <= 2 x idle p50.
 *
 * @example
 * const http = await httpBench(file, plugins, '2026', 20, 4);
 */
export async function httpBench(
  file: string,
  plugins: readonly AnyRapportPlugin[],
  period: string,
  requests: number,
  dashboards: number,
): Promise<HttpResult> {
  const crm = createCrm({
    storage: sqliteStorage({ filename: file }),
    plugins: [httpPlugin, ...plugins],
  });
  await crm.migrate();
  const server = await startRapportServer({ crm, tenantId: benchTenant.id, port: 0 });
  const headers = { authorization: `Bearer ${server.apiKey}` };
  const list = async (): Promise<number> => {
    const start = now();
    const response = await fetch(`${server.apiUrl}/opportunities?limit=50`, { headers });
    if (!response.ok) throw new Error(`list: HTTP ${response.status}`);
    await response.arrayBuffer();
    return now() - start;
  };
  try {
    for (let i = 0; i < 5; i++) await list();
    const idle: number[] = [];
    for (let i = 0; i < requests; i++) idle.push(await list());

    const dashboardStart = now();
    let pending = dashboards;
    const evaluations = Array.from({ length: dashboards }, () =>
      fetch(`${server.apiUrl}/kpis/evaluate`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
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
    while (pending > 0 && busy.length < requests * 10) busy.push(await list());
    await Promise.all(evaluations);
    const dashboardsMs = now() - dashboardStart;
    return {
      requests,
      dashboards,
      idleP50: percentile(idle, 50),
      busyP50: percentile(busy, 50),
      busyMax: Math.max(...busy),
      dashboardsMs,
    };
  } finally {
    await server.close();
    await crm.destroy();
  }
}
