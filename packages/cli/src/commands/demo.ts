import type { CrmScope } from '@rapport/core';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { databaseLocation, tenantId } from '../database/database-location.js';
import { openCrm } from '../database/open-crm.js';
import { type DemoDataSummary, loadDemoData } from '../demo/demo-data.js';
import {
  type DemoPredictions,
  demoPredictions,
  renderPredictions,
} from '../demo/demo-predictions.js';
import { evaluateReport, type ReportGroup, renderReport } from '../report/kpi-report.js';
import { kpiServiceOf } from '../report/kpi-view.js';
import { createNumberFormat, isReportLanguage } from '../report/number-format.js';
import { positiveInteger } from './database-options.js';

interface DemoFlags {
  readonly db?: string;
  readonly tenant?: string;
  readonly lang: string;
  readonly seed: number;
  readonly config?: string;
  readonly json?: boolean;
  readonly anchor: boolean;
}

/**
 * `rapport demo`: a SQLite file with the Maven sample data and generated data, and the report of
 * every installed KPI group. Safe to run again.
 *
 * @example
 * program.addCommand(demoCommand());
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'create a demo database (Maven CRM sample data + generated data) and print the KPI report',
    )
    .option(
      '--db <location>',
      'SQLite file or postgres:// URL (default: $RAPPORT_DB, else rapport-demo.sqlite)',
    )
    .option('--tenant <id>', 'tenant id (default: $RAPPORT_TENANT, else demo)')
    .option('--config <file>', 'project configuration whose KPI plugins the report shows')
    .addOption(
      new Option('--lang <language>', 'language of the report').choices(['en', 'de']).default('en'),
    )
    .option(
      '--seed <n>',
      'seed of the generated data (the same seed gives the same data)',
      positiveInteger,
      1,
    )
    .option('--json', 'print the figures as JSON instead of the report')
    .option(
      '--no-anchor',
      "keep the sample data's own dates (it ends 2017-12-31) instead of moving it to the present",
    )
    .addHelpText(
      'after',
      `
The sample data ends 2017-12-31; the demo moves its dates by whole quarters so that it ends in
the last complete quarter before today, and says so.

Examples:
  $ rapport demo
  $ rapport demo --json > figures.json
  $ rapport demo --lang de --db /tmp/demo.sqlite
`,
    )
    .action(async (flags: DemoFlags) => {
      const language = isReportLanguage(flags.lang) ? flags.lang : 'en';
      const location = databaseLocation(flags.db);
      // The demo has its own data and tenant; from the config it takes the KPI plugins and fields.
      const config = await loadConfig({ path: flags.config });
      const opened = await openCrm(location, { migrate: true, config });
      try {
        const tenant = tenantId(flags.tenant);
        await opened.crm.ensureTenant({
          id: tenant,
          name: 'MavenTech (demo)',
          baseCurrency: 'EUR',
        });
        const scope = opened.crm.tenant(tenant).system();
        const log = (message: string) => process.stderr.write(`${message}\n`);
        const summary = await loadDemoData(scope, opened.rawDatabase(), {
          seed: flags.seed,
          log,
          types: opened.storage.types,
          ...(flags.anchor ? {} : { anchorTo: null }),
        });
        // The generated rows and the moved dates were written below the engine: their rollups
        // are recomputed once, so the report and `rapport serve` read exact rollups.
        if (config?.config.rollups ?? true) {
          const started = performance.now();
          const [rebuilt] = await opened.crm.rebuildRollups({ tenantId: tenant });
          log(
            `rollups rebuilt: ${rebuilt?.cells ?? 0} cells in ${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
        }
        const kpis = kpiServiceOf(scope);
        // Scores first, so that the predict KPIs of the report read them.
        const predictions = await predictionsOrError(scope, summary.dataEnd, flags.seed);
        if (flags.json) {
          const groups = kpis ? await evaluateReport(kpis, summary.period) : [];
          process.stdout.write(
            `${JSON.stringify(demoJson(location, tenant, summary, groups, predictions), null, 2)}\n`,
          );
          return;
        }
        const format = createNumberFormat(language);
        const de = language === 'de';
        process.stdout.write(
          `Rapport demo: ${location}, tenant ${tenant}, ${de ? 'Zeitraum' : 'period'} ${summary.period}\n` +
            `${de ? 'Daten' : 'Data'}: Maven CRM sample data${de ? ' + generierte Leads, Kampagnen, Aktivitäten, Vertriebsziele, Verträge' : ' + generated leads, campaigns, activities, quotas, contracts'}\n` +
            `${anchorLine(summary, language)}\n\n`,
        );
        if (!kpis || kpis.definitions().length === 0) {
          process.stdout.write(
            de ? 'Keine KPI-Plugins installiert.\n' : 'No KPI plugins are installed.\n',
          );
          return;
        }
        process.stdout.write(renderReport(await evaluateReport(kpis, summary.period), format));
        process.stdout.write(
          `\n${
            'error' in predictions
              ? `${de ? 'Vorhersagen nicht verfügbar' : 'Predictions unavailable'}: ${predictions.error}\n`
              : renderPredictions(predictions, format, language)
          }`,
        );
        process.stdout.write(
          `\n${de ? 'Weiter' : 'Next'}: rapport kpi closing.winRate --period ${summary.period} --by owner --db ${location}\n`,
        );
      } finally {
        await opened.close();
      }
    });
}

/** The demo's predictions, or why there are none (the predict package is not installed). */
async function predictionsOrError(
  scope: CrmScope,
  dataEnd: string,
  seed: number,
): Promise<DemoPredictions | { readonly error: string }> {
  try {
    return await demoPredictions(scope, dataEnd, seed);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** What the demo says about its dates: moved to the present, or its own (2017). */
export function anchorLine(
  summary: Pick<DemoDataSummary, 'shiftedMonths' | 'dataEnd'>,
  language: 'en' | 'de',
): string {
  const de = language === 'de';
  if (summary.shiftedMonths === 0) {
    return de
      ? `Datumsangaben: wie in den Beispieldaten (bis ${summary.dataEnd})`
      : `Dates: as in the sample data (up to ${summary.dataEnd})`;
  }
  return de
    ? `Datumsangaben: um ${summary.shiftedMonths} Monate in die Gegenwart verschoben (Beispieldaten bis 2017-12-31, jetzt bis ${summary.dataEnd})`
    : `Dates: moved ${summary.shiftedMonths} months to the present (the sample data ends 2017-12-31, now ${summary.dataEnd})`;
}

/** The figures of `rapport demo --json`: where the data is, its dates, and every KPI result. */
function demoJson(
  location: string,
  tenant: string,
  summary: DemoDataSummary,
  groups: readonly ReportGroup[],
  predictions: DemoPredictions | { readonly error: string },
) {
  return {
    database: location,
    tenant,
    period: summary.period,
    dates: { shiftedMonths: summary.shiftedMonths, dataEnd: summary.dataEnd },
    generated: summary.generated,
    groups: groups.map((group) => ({
      group: group.group,
      ...(group.error ? { error: group.error } : {}),
      results: group.results,
    })),
    predictions,
  };
}
