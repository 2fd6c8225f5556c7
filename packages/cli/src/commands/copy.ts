import { copyStorage } from '@rapport/core';
import { Command } from 'commander';
import { openCrm } from '../database/open-crm.js';
import { positiveInteger } from './database-options.js';

interface CopyFlags {
  readonly from: string;
  readonly to: string;
  readonly replace?: boolean;
  readonly batchSize?: number;
}

/**
 * `rapport copy --from <db> --to <db>`: every tenant and record from one database to another,
 * for a team that outgrows its SQLite file and moves to PostgreSQL.
 *
 * @example
 * program.addCommand(copyCommand());
 */
export function copyCommand(): Command {
  return new Command('copy')
    .description('copy every tenant and record to another database (SQLite file -> PostgreSQL)')
    .requiredOption('--from <location>', 'the source: a SQLite file or postgres:// URL')
    .requiredOption(
      '--to <location>',
      'the target: a postgres:// URL (?schema=name) or SQLite file',
    )
    .option('--replace', 'empty a target that has rows first (in the same transaction)')
    .option('--batch-size <n>', 'rows per read and insert (default 500)', (value: string) =>
      positiveInteger(value),
    )
    .addHelpText(
      'after',
      `
The target is migrated first; ids, versions and timestamps are copied as they are, in one
transaction: a failed copy leaves the target as it was. A target with rows is refused unless
--replace.

Examples:
  $ rapport copy --from rapport-demo.sqlite --to postgres://postgres@127.0.0.1:5432/crm
  $ rapport copy --from crm.sqlite --to "postgres://app@db/crm?schema=sales" --replace
`,
    )
    .action(async (flags: CopyFlags) => {
      const source = await openCrm(flags.from, { mustExist: true });
      try {
        const target = await openCrm(flags.to);
        try {
          const report = await copyStorage(source.crm, target.crm, {
            ...(flags.replace ? { replace: true } : {}),
            ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
          });
          for (const { table, rows } of report.tables) {
            if (rows > 0) process.stdout.write(`${table}: ${rows}\n`);
          }
          process.stdout.write(`${report.rows} rows copied to ${flags.to}\n`);
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    });
}
