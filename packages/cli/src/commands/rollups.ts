import type { RollupReport } from '@rapport/core';
import { Command, Option } from 'commander';
import { databaseLocation } from '../database/database-location.js';
import { openCrm } from '../database/open-crm.js';
import { InputError } from '../errors/cli-errors.js';
import {
  createNumberFormat,
  isReportLanguage,
  type ReportLanguage,
} from '../report/number-format.js';
import { renderTable } from '../report/text-table.js';

interface RollupFlags {
  readonly db?: string;
  readonly tenant?: string;
  readonly json?: boolean;
  readonly lang: string;
}

const words = {
  en: {
    tenant: 'Tenant',
    rollups: 'Rollups',
    cells: 'Cells',
    differences: 'Differences',
    rebuilt: 'rebuilt',
    exact: 'every rollup equals its recompute',
    differ: (count: number) =>
      `${count} cells differ from a recompute; run \`rapport rollups rebuild\``,
    cell: 'Cell',
    kept: 'kept n / s',
    recomputed: 'recomputed n / s',
  },
  de: {
    tenant: 'Mandant',
    rollups: 'Rollups',
    cells: 'Zellen',
    differences: 'Abweichungen',
    rebuilt: 'neu berechnet',
    exact: 'jedes Rollup stimmt mit der Neuberechnung überein',
    differ: (count: number) =>
      `${count} Zellen weichen von der Neuberechnung ab; \`rapport rollups rebuild\` ausführen`,
    cell: 'Zelle',
    kept: 'gehalten n / s',
    recomputed: 'neu berechnet n / s',
  },
} as const;

/** The reports as a table, and for `check` the differing cells (the first 20). */
function render(reports: readonly RollupReport[], language: ReportLanguage, check: boolean) {
  const text = words[language];
  const format = createNumberFormat(language);
  const lines = [
    renderTable(
      [
        { title: text.tenant },
        { title: text.rollups, right: true },
        { title: text.cells, right: true },
        ...(check ? [{ title: text.differences, right: true }] : []),
      ],
      reports.map((report) => [
        report.tenantId,
        format.count(report.rollups),
        format.count(report.cells),
        ...(check ? [format.count(report.differences.length)] : []),
      ]),
    ),
  ];
  const differences = reports.flatMap((report) => report.differences);
  if (!check) lines.push('', text.rebuilt);
  else if (differences.length === 0) lines.push('', text.exact);
  else {
    const pair = ({ n, s }: { n: number; s: number }) => `${format.count(n)} / ${format.count(s)}`;
    lines.push(
      '',
      renderTable(
        [
          { title: text.tenant },
          { title: text.cell },
          { title: text.kept, right: true },
          { title: text.recomputed, right: true },
        ],
        differences
          .slice(0, 20)
          .map((d) => [d.tenantId, `${d.rollup} ${d.key}`, pair(d.kept), pair(d.recomputed)]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function subcommand(name: 'rebuild' | 'check', description: string): Command {
  return new Command(name)
    .description(description)
    .option(
      '--db <location>',
      'SQLite file or postgres:// URL (default: $RAPPORT_DB, else rapport-demo.sqlite)',
    )
    .option('--tenant <id>', 'only this tenant (default: every tenant)')
    .option('--json', 'print the reports as JSON')
    .addOption(
      new Option('--lang <language>', 'language of the output').choices(['en', 'de']).default('en'),
    )
    .action(async (flags: RollupFlags) => {
      const language = isReportLanguage(flags.lang) ? flags.lang : 'en';
      const location = databaseLocation(flags.db);
      // A rebuild writes (and needs the rollup tables); a check only reads.
      const opened = await openCrm(location, { mustExist: true, migrate: name === 'rebuild' });
      try {
        const only = flags.tenant === undefined ? {} : { tenantId: flags.tenant };
        const reports =
          name === 'rebuild'
            ? await opened.crm.rebuildRollups(only)
            : await opened.crm.checkRollups(only);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(reports, null, 2)}\n`
            : render(reports, language, name === 'check'),
        );
        const differing = reports.reduce((sum, report) => sum + report.differences.length, 0);
        // Exit code 1, with the count on stderr, so a scheduled check can alert.
        if (differing > 0) throw new InputError(words[language].differ(differing));
      } finally {
        await opened.close();
      }
    });
}

/**
 * `rapport rollups rebuild|check`: recomputes the KPI rollups from the records, or compares them
 * with a recompute (exit code 1 when a cell differs).
 *
 * @example
 * program.addCommand(rollupsCommand());
 */
export function rollupsCommand(): Command {
  return new Command('rollups')
    .description('exact KPI rollups: rebuild them from the records, or check them')
    .addCommand(subcommand('rebuild', 'recompute every rollup from the records'))
    .addCommand(subcommand('check', 'compare the rollups with a recompute and list differences'))
    .addHelpText(
      'after',
      `
Examples:
  $ rapport rollups rebuild --db crm.sqlite
  $ rapport rollups check --tenant acme --lang de
`,
    );
}
