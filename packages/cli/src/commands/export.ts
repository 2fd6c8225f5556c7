import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Command, Option } from 'commander';
import { openProject } from '../database/open-project.js';
import { exportCsv, exportJson } from '../export/record-export.js';
import { resolveObjectName } from '../objects/object-name.js';
import { type DatabaseFlags, withDatabaseOptions } from './database-options.js';

interface ExportFlags extends DatabaseFlags {
  readonly format: 'csv' | 'json';
  readonly out?: string;
}

/**
 * `rapport export <object>`: every record of an object as CSV or JSON, streamed page by page.
 *
 * @example
 * program.addCommand(exportCommand());
 */
export function exportCommand(): Command {
  return withDatabaseOptions(
    new Command('export')
      .description('export the records of an object as CSV or JSON')
      .argument('<object>', 'object or table: leads, accounts, opportunities, ...'),
  )
    .addOption(
      new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'),
    )
    .option('--out <file>', 'write to a file instead of stdout')
    .addHelpText(
      'after',
      `
CSV cells starting with = + - @, a tab, CR or LF are prefixed with ' so that spreadsheets do not
run them (OWASP); cells are quoted per RFC 4180.
Money is in major units in CSV (as import reads it), in minor units in JSON.

Examples:
  $ rapport export opportunities > deals.csv
  $ rapport export leads --format json --out leads.json
`,
    )
    .action(async (objectArgument: string, flags: ExportFlags) => {
      const object = resolveObjectName(objectArgument);
      const opened = await openProject(flags, { mustExist: true });
      try {
        const scope = opened.system();
        const out = flags.out ? createWriteStream(flags.out) : process.stdout;
        const count =
          flags.format === 'json'
            ? await exportJson(scope, object, out)
            : await exportCsv(scope, object, out);
        if (flags.out) {
          out.end();
          await once(out, 'close');
          process.stderr.write(`${count} ${object} records -> ${flags.out}\n`);
        }
      } finally {
        await opened.close();
      }
    });
}
