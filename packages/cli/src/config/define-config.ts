import type { ObjectName } from '@rapport/core';
import type { CustomFieldConfig, RapportConfig } from './config-schema.js';

/** The custom fields part of a config, with the field literals kept. */
export type ConfigFields = {
  readonly [TObject in ObjectName]?: Readonly<Record<string, CustomFieldConfig>>;
};

/**
 * A typed project configuration for `rapport.config.ts`: the CLI, `rapport serve` and an
 * application that calls {@link crmOptionsFromConfig} read the same file. The literal types of
 * the fields survive, so `createCrm` infers the custom fields' types from it.
 *
 * @example
 * export default defineConfig({
 *   tenant: { id: 'acme', baseCurrency: 'EUR', timeZone: 'Europe/Berlin' },
 *   fields: { account: { contract: { type: 'enum', values: ['Month-to-month', 'One year'] } } },
 * });
 */
export function defineConfig<
  const TConfig extends RapportConfig & { readonly fields?: ConfigFields },
>(config: TConfig): TConfig {
  return config;
}
