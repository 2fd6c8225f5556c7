import type { CreateTenantInput } from '@rapport/core';
import type { RapportConfig } from './config-schema.js';
import { type CustomFieldSchemas, customFieldSchemas } from './custom-field-schemas.js';
import type { ConfigFields } from './define-config.js';

/** What `createCrm` takes from a config (storage and plugins come from the caller, so plugin types stay inferred). */
export interface ConfigCrmOptions<TFields extends ConfigFields | undefined> {
  /** The custom fields as zod schemas. */
  readonly fields: CustomFieldSchemas<TFields>;
}

/**
 * The options of `createCrm` a config describes, so that an application and the CLI see the same
 * custom fields: `createCrm({ storage, ...crmOptionsFromConfig(config) })`.
 *
 * @example
 * import { defineConfig } from '@rapport/cli';
 *
 * const config = defineConfig({ tenant: { name: 'Acme', baseCurrency: 'EUR' } });
 * const crm = createCrm({ storage: sqliteStorage({ filename: 'crm.sqlite' }), ...crmOptionsFromConfig(config) });
 */
export function crmOptionsFromConfig<
  const TConfig extends RapportConfig & { readonly fields?: ConfigFields },
>(config: TConfig): ConfigCrmOptions<TConfig['fields']> {
  return { fields: customFieldSchemas<TConfig['fields']>(config.fields) };
}

/**
 * The tenant a config describes, for `crm.ensureTenant`: id, name, base currency, time zone and
 * fiscal year start (the engine's defaults where the config says nothing).
 *
 * @example
 * await crm.ensureTenant(tenantFromConfig(config, 'demo'));
 */
export function tenantFromConfig(config: RapportConfig | undefined, id: string): CreateTenantInput {
  const tenant = config?.tenant;
  return {
    id,
    name: tenant?.name ?? id,
    ...(tenant?.baseCurrency === undefined ? {} : { baseCurrency: tenant.baseCurrency }),
    ...(tenant?.timeZone === undefined ? {} : { timeZone: tenant.timeZone }),
    ...(tenant?.fiscalYearStartMonth === undefined
      ? {}
      : { fiscalYearStartMonth: tenant.fiscalYearStartMonth }),
  };
}
