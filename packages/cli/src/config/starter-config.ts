/**
 * The commented starter `rapport init` writes, in TypeScript or JSON (JSON has no comments; its
 * `$schema`-free form is documented in docs/import.md).
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 *
 * writeFileSync('rapport.config.ts', starterConfig('ts'));
 */
export function starterConfig(format: 'ts' | 'json'): string {
  if (format === 'json') {
    return `${JSON.stringify(
      {
        database: 'crm.sqlite',
        tenant: {
          id: 'acme',
          name: 'Acme GmbH',
          baseCurrency: 'EUR',
          timeZone: 'Europe/Berlin',
          fiscalYearStartMonth: 1,
          exchangeRates: { USD: 0.92 },
        },
        fields: {
          account: {
            contract: {
              type: 'enum',
              values: ['Month-to-month', 'One year', 'Two year'],
              label: { en: 'Contract', de: 'Vertrag' },
            },
          },
        },
        plugins: [],
        mappings: {},
      },
      null,
      2,
    )}\n`;
  }
  return `import { defineConfig } from '@rapport/cli';

// Rapport's project configuration: \`rapport\` (import, export, kpi, serve) finds this file in the
// working directory; an application reads the same file with crmOptionsFromConfig(config).
export default defineConfig({
  // The SQLite file (relative to this file) or a postgres:// URL. --db and RAPPORT_DB win.
  database: 'crm.sqlite',

  // The tenant the CLI works in, created with these settings on the first import.
  tenant: {
    id: 'acme',
    name: 'Acme GmbH',
    baseCurrency: 'EUR', // every sum converts to it
    timeZone: 'Europe/Berlin', // days, months and quarters are cut here
    fiscalYearStartMonth: 1, // 4 = the fiscal year starts in April
    exchangeRates: { USD: 0.92 }, // 1 USD = 0.92 EUR
  },

  // Custom fields per object: text, number, integer, boolean, date (YYYY-MM-DD) or enum.
  // Import them with --map "Contract=custom.contract"; break KPIs down with --by custom.contract.
  // Changing a type later is refused while stored values do not fit the new type.
  fields: {
    account: {
      contract: {
        type: 'enum',
        values: ['Month-to-month', 'One year', 'Two year'],
        label: { en: 'Contract', de: 'Vertrag' },
      },
    },
  },

  // More pipelines besides the default (Salesforce's stages); \`default: true\` makes one the default.
  // pipelines: [{ id: 'renewals', name: 'Renewals', stages: [...] }],

  // KPI plugins beyond the built-in four: installed packages or local files (definePlugin).
  plugins: [],

  // Import mappings by name: rapport import leads leads.csv --mapping webinar-leads
  mappings: {
    // 'webinar-leads': {
    //   object: 'lead',
    //   columns: { Email: ['externalId', 'email'], Name: 'lastName', Firma: 'company' },
    //   constants: { leadSource: 'Webinar' },
    //   dateFormat: 'dd.MM.yyyy',
    //   decimal: ',',
    //   ignoreUnmapped: true,
    // },
  },
});
`;
}
