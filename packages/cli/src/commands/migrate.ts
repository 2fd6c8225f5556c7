import { Command } from 'commander';
import { databaseLocation } from '../database/database-location.js';
import { openCrm } from '../database/open-crm.js';

/**
 * `rapport migrate`: creates or upgrades the database schema of core and the installed plugins.
 *
 * @example
 * program.addCommand(migrateCommand());
 */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('create or upgrade the database schema (core and installed plugins)')
    .option(
      '--db <location>',
      'SQLite file or postgres:// URL (default: $RAPPORT_DB, else rapport-demo.sqlite)',
    )
    .action(async (flags: { readonly db?: string }) => {
      const location = databaseLocation(flags.db);
      const opened = await openCrm(location);
      try {
        const { applied } = await opened.crm.migrate();
        process.stdout.write(
          applied.length === 0
            ? `${location}: up to date\n`
            : `${location}: applied ${applied.join(', ')}\n`,
        );
      } finally {
        await opened.close();
      }
    });
}
