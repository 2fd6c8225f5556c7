import type { RollupReport, RollupStatus } from '@rapport/core';
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
    built: 'Built',
    writes: 'Kept at write time',
    yes: 'yes',
    no: 'no',
    scanned: (count: number) =>
      `${count} rollups are not built: their KPIs scan the records until \`rapport rollups rebuild\``,
    others: (count: number) => `${count} rollups of other engines' KPIs are left as they are`,
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
    built: 'Vollständig',
    writes: 'Beim Schreiben gehalten',
    yes: 'ja',
    no: 'nein',
    scanned: (count: number) =>
      `${count} Rollups sind nicht vollständig: ihre KPIs lesen die Datensätze bis \`rapport rollups rebuild\``,
    others: (count: number) => `${count} Rollups anderer KPI-Sätze bleiben unverändert`,
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

/** The status as a table per tenant, then what is not built and what other engines left. */
function renderStatus(statuses: readonly RollupStatus[], language: ReportLanguage) {
  const text = words[language];
  const format = createNumberFormat(language);
  const lines = [
    renderTable(
      [
        { title: text.tenant },
        { title: text.rollups, right: true },
        { title: text.built, right: true },
        { title: text.cells, right: true },
        { title: text.writes },
      ],
      statuses.map((status) => [
        status.tenantId,
        format.count(status.rollups.length),
        format.count(status.rollups.filter((rollup) => rollup.built).length),
        format.count(status.rollups.reduce((sum, rollup) => sum + rollup.cells, 0)),
        status.kept ? text.yes : text.no,
      ]),
    ),
  ];
  const unbuilt = statuses.flatMap((status) =>
    status.rollups.filter((rollup) => !rollup.built).map((rollup) => [status.tenantId, rollup.id]),
  );
  const others = statuses.reduce((sum, status) => sum + status.otherRollups.length, 0);
  if (unbuilt.length > 0) {
    lines.push('', text.scanned(unbuilt.length));
    lines.push(
      renderTable(
        [{ title: text.tenant }, { title: text.rollups }],
        unbuilt.slice(0, 20).map((row) => [...row]),
      ),
    );
  }
  if (others > 0) lines.push('', text.others(others));
  return `${lines.join('\n')}\n`;
}

/** A rollups subcommand with the options every one of them takes. */
function withOptions(command: Command): Command {
  return command
    .option(
      '--db <location>',
      'SQLite file or postgres:// URL (default: $RAPPORT_DB, else rapport-demo.sqlite)',
    )
    .option('--tenant <id>', 'only this tenant (default: every tenant)')
    .option('--json', 'print the reports as JSON')
    .addOption(
      new Option('--lang <language>', 'language of the output').choices(['en', 'de']).default('en'),
    );
}

function subcommand(name: 'rebuild' | 'check', description: string): Command {
  return withOptions(new Command(name).description(description)).action(
    async (flags: RollupFlags) => {
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
    },
  );
}

/** `rapport rollups status`: reads only (no migration, no recompute). */
function statusCommand(): Command {
  return withOptions(
    new Command('status').description(
      'list which rollups are built, and their cells, without recomputing',
    ),
  ).action(async (flags: RollupFlags) => {
    const language = isReportLanguage(flags.lang) ? flags.lang : 'en';
    const opened = await openCrm(databaseLocation(flags.db), { mustExist: true, migrate: false });
    try {
      const only = flags.tenant === undefined ? {} : { tenantId: flags.tenant };
      const statuses = await opened.crm.rollupStatus(only);
      process.stdout.write(
        flags.json ? `${JSON.stringify(statuses, null, 2)}\n` : renderStatus(statuses, language),
      );
    } finally {
      await opened.close();
    }
  });
}

/**
 * `rapport rollups rebuild|check|status`: recomputes the KPI rollups from the records, compares
 * them with a recompute (exit code 1 when a cell differs), or lists which are built.
 *
 * @example
 * program.addCommand(rollupsCommand());
 */
export function rollupsCommand(): Command {
  return new Command('rollups')
    .description('exact KPI rollups: rebuild them from the records, check them, or list them')
    .addCommand(subcommand('rebuild', 'recompute every rollup from the records'))
    .addCommand(subcommand('check', 'compare the rollups with a recompute and list differences'))
    .addCommand(statusCommand())
    .addHelpText(
      'after',
      `
Examples:
  $ rapport rollups rebuild --db crm.sqlite
  $ rapport rollups check --tenant acme --lang de
  $ rapport rollups status --json
`,
    );
}
