import { isAbsolute, resolve } from 'node:path';
import type { CrmScope } from '@rapport/core';
import { tenantFromConfig } from '../config/crm-options.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import { checkStoredCustomFields } from '../config/stored-field-check.js';
import { defaultDatabase, defaultTenant, isPostgresUrl } from './database-location.js';
import { type OpenCrmOptions, type OpenedCrm, openCrm } from './open-crm.js';

/** The flags every command that opens the project takes. */
export interface ProjectFlags {
  readonly db?: string | undefined;
  readonly tenant?: string | undefined;
  readonly config?: string | undefined;
}

/** Options of {@link openProject}. */
export interface OpenProjectOptions extends Omit<OpenCrmOptions, 'config'> {
  /**
   * Writing commands: create the tenant with the config's settings if it is missing, set the
   * config's exchange rates and pipelines, and check stored custom values against the config's
   * field types.
   */
  readonly prepareTenant?: boolean;
}

/** An open engine with the project's configuration, database and tenant. */
export interface OpenedProject extends OpenedCrm {
  /** The configuration, if a file was found. */
  readonly config: LoadedConfig | undefined;
  /** The tenant the command works in. */
  readonly tenantId: string;
  /** The tenant's system scope. */
  system(): CrmScope;
}

/**
 * Where a command's database is: `--db`, else `RAPPORT_DB`, else the config's `database`
 * (relative to the config file), else `rapport-demo.sqlite`.
 *
 * @example
 * projectDatabase({}, loaded); // '/app/crm.sqlite'
 */
export function projectDatabase(
  flags: ProjectFlags,
  config: LoadedConfig | undefined,
  env = process.env,
): string {
  const configured = config?.config.database;
  // Cast: the condition proves one of the two is a non-empty string.
  if (flags.db ?? env.RAPPORT_DB) return (flags.db ?? env.RAPPORT_DB) as string;
  if (configured === undefined) return defaultDatabase;
  return isPostgresUrl(configured) || isAbsolute(configured) || configured === ':memory:'
    ? configured
    : resolve(config?.directory ?? '.', configured);
}

/**
 * The tenant of a command: `--tenant`, else `RAPPORT_TENANT`, else the config's `tenant.id`,
 * else `demo`.
 *
 * @example
 * projectTenant({ tenant: 'acme' }, undefined); // 'acme'
 */
export function projectTenant(
  flags: ProjectFlags,
  config: LoadedConfig | undefined,
  env = process.env,
): string {
  return flags.tenant ?? env.RAPPORT_TENANT ?? config?.config.tenant?.id ?? defaultTenant;
}

/**
 * Opens the engine as a command needs it: finds the project configuration (`--config`,
 * `RAPPORT_CONFIG`, or `rapport.config.*` in the working directory), opens the database with the
 * config's custom fields and plugins, and for writing commands prepares the tenant.
 *
 * @example
 * const project = await openProject(flags, { migrate: true, prepareTenant: true });
 * try { await importRecords(project.system(), options); } finally { await project.close(); }
 */
export async function openProject(
  flags: ProjectFlags,
  options: OpenProjectOptions = {},
): Promise<OpenedProject> {
  const config = await loadConfig({ path: flags.config });
  const location = projectDatabase(flags, config);
  const tenantId = projectTenant(flags, config);
  const opened = await openCrm(location, { ...options, config });
  // Cast: the CLI's engine is typed by run-time plugins (an array); commands use the erased scope.
  const system = () => opened.crm.tenant(tenantId).system() as unknown as CrmScope;
  try {
    if (options.prepareTenant) {
      await opened.crm.ensureTenant(tenantFromConfig(config?.config, tenantId));
      await applyTenantConfig(system(), config);
    }
  } catch (error) {
    await opened.close();
    throw error;
  }
  return { ...opened, config, tenantId, system };
}

/**
 * Brings a tenant in line with the config: exchange rates, pipelines (by their `id`, kept as the
 * pipeline's external id; `default: true` makes one the tenant's default), and a check that the
 * stored custom values still parse with the declared field types.
 *
 * @example
 * await applyTenantConfig(scope, loaded);
 */
export async function applyTenantConfig(
  scope: CrmScope,
  config: LoadedConfig | undefined,
): Promise<void> {
  if (!config) return;
  const { tenant, pipelines, fields } = config.config;
  for (const [currency, rate] of Object.entries(tenant?.exchangeRates ?? {})) {
    await scope.currencies.setRate(currency, rate);
  }
  for (const pipeline of pipelines ?? []) {
    const { record: stored } = await scope.pipelines.upsert({
      externalId: pipeline.id,
      name: pipeline.name,
      stages: pipeline.stages,
    });
    if (pipeline.default && (await scope.settings()).defaultPipelineId !== stored.id) {
      await scope.updateSettings({ defaultPipelineId: stored.id });
    }
  }
  if (fields) await checkStoredCustomFields(scope, fields, config.file);
}
