import { Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { openProject } from '../database/open-project.js';
import { InputError, UsageError } from '../errors/cli-errors.js';
import { renderBreakdownChart, renderKpiTable } from '../report/kpi-report.js';
import { type KpiResultView, kpiServiceOf } from '../report/kpi-view.js';
import { createNumberFormat, isReportLanguage } from '../report/number-format.js';
import { type DatabaseFlags, withDatabaseOptions } from './database-options.js';

interface KpiFlags extends DatabaseFlags {
  readonly period?: string;
  readonly by?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly lang: string;
}

function csvRows(results: readonly KpiResultView[]): string {
  const rows: unknown[][] = [
    [
      'id',
      'group',
      'period',
      'key',
      'label',
      'value',
      'unit',
      'currency',
      'sampleSize',
      'previous',
      'change',
    ],
  ];
  for (const result of results) {
    const figures = [
      { key: '', label: '', figure: result },
      ...(result.breakdown ?? []).map((g) => ({
        key: g.key ?? '',
        label: g.label ?? '',
        figure: g,
      })),
    ];
    for (const { key, label, figure } of figures) {
      rows.push([
        result.id,
        result.group,
        result.period.label,
        key,
        label,
        figure.value ?? '',
        result.unit,
        result.currency ?? '',
        figure.sampleSize,
        figure.previous?.value ?? '',
        figure.previous?.change ?? '',
      ]);
    }
  }
  return stringify(rows);
}

/**
 * `rapport kpi <ids...>`: evaluates KPIs (or whole groups) for a period, optionally broken down.
 *
 * @example
 * program.addCommand(kpiCommand());
 */
export function kpiCommand(): Command {
  return withDatabaseOptions(
    new Command('kpi')
      .description('evaluate KPIs; without ids, list the KPIs of the installed plugins')
      .argument('[ids...]', 'KPI ids (closing.winRate) or groups (closing)'),
  )
    .option(
      '--period <period>',
      '2026-Q3, 2026-03, 2026, FY2026, 2026-01-01..2026-03-31, thisQuarter, all',
    )
    .option(
      '--by <dimension>',
      'break down by owner, team, stage, leadSource, product, custom.<field>, ...',
    )
    .addOption(new Option('--json', 'print the results as JSON').conflicts('csv'))
    .addOption(new Option('--csv', 'print the results as CSV'))
    .addOption(
      new Option('--lang <language>', 'language of titles and numbers')
        .choices(['en', 'de'])
        .default('en'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ rapport kpi closing.winRate --period 2017 --by owner
  $ rapport kpi closing pipeline --period 2017-Q3 --lang de
  $ rapport kpi closing.winRate --period 2017 --json
`,
    )
    .action(async (ids: string[], flags: KpiFlags) => {
      const language = isReportLanguage(flags.lang) ? flags.lang : 'en';
      const format = createNumberFormat(language);
      const opened = await openProject(flags, { mustExist: true });
      try {
        const scope = opened.system();
        const kpis = kpiServiceOf(scope);
        const definitions = kpis?.definitions() ?? [];
        if (!kpis || definitions.length === 0) throw new InputError('no KPI plugins are installed');
        if (ids.length === 0) {
          for (const d of definitions)
            process.stdout.write(
              `${d.id}  ${d.title[language]}  [${d.unit}; by ${d.dimensions.join(', ')}]\n`,
            );
          return;
        }
        const wanted = ids.flatMap((id) => {
          if (id.includes('.')) return [id];
          const group = definitions.filter((d) => d.group === id).map((d) => d.id);
          if (group.length === 0)
            throw new UsageError(`unknown KPI or group "${id}"; run \`rapport kpi\` for the list`);
          return group;
        });
        // An unknown id is refused by the engine, with the registered id it was likely meant to be.
        const results = await kpis.evaluate(wanted, {
          ...(flags.period === undefined ? {} : { period: flags.period }),
          ...(flags.by === undefined ? {} : { by: flags.by }),
        });
        const list = wanted.flatMap((id) => results[id] ?? []);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        } else if (flags.csv) {
          process.stdout.write(csvRows(list));
        } else {
          const period = list[0]?.period.label ?? '';
          process.stdout.write(
            `${language === 'de' ? 'Zeitraum' : 'Period'}: ${period}\n\n${renderKpiTable(list, format)}\n`,
          );
          if (flags.by) {
            for (const result of list)
              process.stdout.write(`\n${renderBreakdownChart(result, flags.by, format)}\n`);
          }
        }
      } finally {
        await opened.close();
      }
    });
}
