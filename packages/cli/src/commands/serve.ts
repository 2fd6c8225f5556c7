import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AnyRapportPlugin,
  type CustomFieldsConfig,
  createCrm,
  isRapportError,
} from '@rapport/core';
import { httpPlugin, type RapportServer, startRapportServer } from '@rapport/http';
import { Command, InvalidArgumentError } from 'commander';
import { customFieldSchemas } from '../config/custom-field-schemas.js';
import { loadConfig } from '../config/load-config.js';
import { isPostgresUrl } from '../database/database-location.js';
import { loadKpiPlugins } from '../database/kpi-plugins.js';
import { openStorage, projectPlugins, withAudit } from '../database/open-crm.js';
import { projectDatabase, projectTenant } from '../database/open-project.js';
import { InputError } from '../errors/cli-errors.js';
import { type DatabaseFlags, withDatabaseOptions } from './database-options.js';

interface ServeFlags extends DatabaseFlags {
  readonly port: number;
  readonly host: string;
  readonly dashboard?: string;
}

/**
 * The built workspace app: `$RAPPORT_DASHBOARD_DIR`, else the copy the package's build puts in
 * `dist/dashboard` (an installed CLI), else `examples/dashboard/dist` found upwards from the
 * current directory or from this module (a checkout of the repository).
 *
 * @example
 * findDashboard(); // '/usr/lib/node_modules/@rapport/cli/dist/dashboard' when installed
 */
export function findDashboard(
  env: NodeJS.ProcessEnv = process.env,
  here: string = dirname(fileURLToPath(import.meta.url)),
): string | undefined {
  if (env.RAPPORT_DASHBOARD_DIR) return resolve(env.RAPPORT_DASHBOARD_DIR);
  const bundled = join(here, 'dashboard');
  if (existsSync(join(bundled, 'index.html'))) return bundled;
  for (const start of [process.cwd(), here]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'examples', 'dashboard', 'dist');
      if (existsSync(join(candidate, 'index.html'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/** Options of {@link startServe}. */
export interface StartServeOptions {
  readonly location: string;
  readonly tenantId: string;
  readonly port?: number;
  readonly host?: string;
  readonly dashboardDir?: string | undefined;
  /** KPI plugins; the installed KPI packages by default. */
  readonly plugins?: readonly AnyRapportPlugin[];
  /** Custom fields (from the project configuration). */
  readonly fields?: CustomFieldsConfig;
  /** Keep and read exact KPI rollups (default true, like every command). */
  readonly rollups?: boolean;
}

/**
 * Opens the database with the installed KPI plugins and the http plugin, migrates it, and serves
 * the API and the dashboard: `rapport serve` without the printing and the signal handling.
 *
 * @example
 * const served = await startServe({ location: 'rapport-demo.sqlite', tenantId: 'demo', port: 0 });
 * console.log(served.server.dashboardUrl);
 * await served.close();
 */
export async function startServe(
  options: StartServeOptions,
): Promise<{ readonly server: RapportServer; close(): Promise<void> }> {
  const { location } = options;
  const postgres = isPostgresUrl(location);
  if (!postgres && location !== ':memory:' && !existsSync(location)) {
    throw new InputError(`database ${location} not found (run \`rapport demo\` first)`);
  }
  // openStorage reads a `?schema=` of a Postgres URL, as every other command does.
  const storage = openStorage(location);
  const plugins = options.plugins ?? (await loadKpiPlugins());
  const crm = createCrm({
    storage,
    // Audited like every command; the API serves each record's trail at /{collection}/{id}/audit.
    plugins: withAudit([httpPlugin, ...plugins], 'api'),
    ...(options.fields ? { fields: options.fields } : {}),
    rollups: options.rollups ?? true,
  });
  try {
    await crm.migrate();
    await crm.tenant(options.tenantId).system().settings();
    const server = await startRapportServer({
      crm,
      tenantId: options.tenantId,
      port: options.port ?? 4310,
      hostname: options.host ?? '127.0.0.1',
      ...(options.dashboardDir === undefined ? {} : { dashboardDir: options.dashboardDir }),
    });
    return {
      server,
      close: async () => {
        await server.close();
        await crm.destroy();
      },
    };
  } catch (error) {
    await crm.destroy();
    if (isRapportError(error, 'NOT_FOUND')) {
      throw new InputError(
        `tenant ${options.tenantId} not found in ${location} (run \`rapport demo\` or pass --tenant)`,
      );
    }
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      throw new InputError(`port ${options.port ?? 4310} is in use; pass --port`);
    }
    throw error;
  }
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535) {
    throw new InvalidArgumentError(`"${value}" is not a port (0 to 65535)`);
  }
  return number;
}

/**
 * `rapport serve`: the HTTP API and the KPI dashboard over the database, with a new API key for
 * the tenant printed on start.
 *
 * @example
 * program.addCommand(serveCommand());
 */
export function serveCommand(): Command {
  return withDatabaseOptions(
    new Command('serve').description('serve the HTTP API and the KPI dashboard over the database'),
  )
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 4310)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--dashboard <dir>', 'built workspace app folder (default: the one the package ships)')
    .addHelpText(
      'after',
      `
The API is at /api (OpenAPI 3.1 at /api/openapi.json); every request needs the printed key as
Authorization: Bearer <key>. Each start makes a new key and revokes the previous one.

Examples:
  $ rapport demo && rapport serve
  $ rapport serve --db crm.sqlite --tenant acme --port 8080
`,
    )
    .action(async (flags: ServeFlags) => {
      const config = await loadConfig({ path: flags.config });
      const location = projectDatabase(flags, config);
      const tenant = projectTenant(flags, config);
      const dashboardDir = flags.dashboard ? resolve(flags.dashboard) : findDashboard();
      const served = await startServe({
        location,
        tenantId: tenant,
        port: flags.port,
        host: flags.host,
        dashboardDir,
        plugins: await projectPlugins(config),
        fields: customFieldSchemas(config?.config.fields),
        rollups: config?.config.rollups ?? true,
      });
      const { server } = served;
      process.stdout.write(
        [
          `Rapport serves tenant ${tenant} from ${location}`,
          server.dashboardUrl
            ? `  Dashboard: ${server.dashboardUrl}`
            : '  Dashboard: none found (pass --dashboard <dir> or set RAPPORT_DASHBOARD_DIR), API only',
          `  API:       ${server.apiUrl}  (OpenAPI: ${server.apiUrl}/openapi.json)`,
          `  API key:   ${server.apiKey}`,
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void served.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
