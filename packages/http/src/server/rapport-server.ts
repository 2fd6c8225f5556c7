import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Crm } from '@rapport/core';
import { Hono } from 'hono';
import { createRapportApi } from '../api/create-rapport-api.js';
import { createApiKeyStore } from '../auth/api-key-store.js';

const serveKeyName = 'rapport serve';

/**
 * Options of {@link startRapportServer}.
 *
 * @example
 * const options: RapportServerOptions = { crm, tenantId: 'demo', port: 4310, dashboardDir: 'examples/dashboard/dist' };
 */
export interface RapportServerOptions {
  /** The engine, migrated, with `httpPlugin` among its plugins. */
  readonly crm: Pick<Crm, 'tenant' | 'plugins' | 'plugin' | 'customFields'>;
  /** The tenant the generated key acts in. */
  readonly tenantId: string;
  /** The port; 0 picks a free one. 4310 by default. */
  readonly port?: number;
  /** The interface to listen on; 127.0.0.1 by default (this machine only). */
  readonly hostname?: string;
  /** A built dashboard (a folder with index.html) to serve at `/`. */
  readonly dashboardDir?: string;
}

/**
 * A running server.
 *
 * @example
 * const server = await startRapportServer({ crm, tenantId: 'demo' });
 * console.log(server.dashboardUrl);
 * await server.close();
 */
export interface RapportServer {
  /** The base URL: `http://127.0.0.1:4310`. */
  readonly url: string;
  /** Where the API is mounted: `${url}/api`. */
  readonly apiUrl: string;
  /** The dashboard with the key in its fragment (never sent to the server in logs or Referer). */
  readonly dashboardUrl: string | null;
  /** A new admin API key for the tenant; the previous `rapport serve` keys are revoked. */
  readonly apiKey: string;
  /** Stops listening. */
  close(): Promise<void>;
}

/**
 * Serves the API at `/api` and a built dashboard at `/` on Node's HTTP server, with a fresh API
 * key for the tenant: what `rapport serve` runs.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage({ filename: 'rapport-demo.sqlite' }), plugins: [httpPlugin, closingPlugin] });
 * await crm.migrate();
 * const server = await startRapportServer({ crm, tenantId: 'demo', dashboardDir: 'examples/dashboard/dist' });
 */
export async function startRapportServer(options: RapportServerOptions): Promise<RapportServer> {
  const { crm, tenantId } = options;
  const keys = createApiKeyStore(crm);
  for (const key of await keys.list(tenantId)) {
    if (key.name === serveKeyName && key.revokedAt === null) await keys.revoke(tenantId, key.id);
  }
  const { key } = await keys.createSystemKey({ tenantId, name: serveKeyName });
  const api = createRapportApi({
    crm,
    authenticate: keys.authenticate,
    openApi: { servers: [{ url: '/api' }] },
    onUnexpectedError: (error) => console.error(error),
  });
  const host = new Hono();
  host.route('/api', api);
  const dashboardDir = options.dashboardDir;
  const hasDashboard = dashboardDir !== undefined && existsSync(join(dashboardDir, 'index.html'));
  if (hasDashboard) {
    host.use('/*', serveStatic({ root: dashboardDir }));
    host.get('*', serveStatic({ root: dashboardDir, path: 'index.html' }));
  }
  const hostname = options.hostname ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: host.fetch, port: options.port ?? 4310, hostname }, () =>
      resolve(started),
    );
    started.once('error', reject);
  });
  // Cast: a listening TCP server's address is an AddressInfo (a string only for pipes).
  const { port } = server.address() as AddressInfo;
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
  return {
    url,
    apiUrl: `${url}/api`,
    dashboardUrl: hasDashboard ? `${url}/#key=${encodeURIComponent(key)}` : null,
    apiKey: key,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections of a browser would hold the server open otherwise.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
