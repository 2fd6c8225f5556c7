import { Command } from 'commander';
import { databaseLocation, tenantId } from '../database/database-location.js';
import { openCrm } from '../database/open-crm.js';
import { InputError } from '../errors/cli-errors.js';
import { ImportRejected, importRecords } from '../import/import-records.js';
import { createProgressBar } from '../import/progress-bar.js';
import { resolveObjectName } from '../objects/object-name.js';
import { type DatabaseFlags, positiveInteger, withDatabaseOptions } from './database-options.js';

interface ImportFlags extends DatabaseFlags {
  readonly map: string[];
  readonly mapping?: string;
  readonly skipInvalid?: boolean;
  readonly errors?: string;
  readonly batchSize?: number;
  readonly owner?: string;
}

const examples = `
Columns fill fields by name (case, spaces and _ ignored: "Close Date" fills closeDate; "Id" or
"External Id" fill externalId). One column must fill externalId: rows upsert on it, so importing
the same file again, or again after a crash, creates no duplicates. Money columns are in major
units (1234.56) of the row's currency column, else of the tenant's base currency. References
(accountId, ownerId, ...) take a record id or an external id.

Examples:
  $ rapport import users reps.csv
  $ rapport import leads leads.csv --owner rep-17
  $ rapport import opportunities deals.csv --map "Deal=name" --map "Value=amount" --map "Notes="
  $ rapport import accounts accounts.csv --mapping accounts-mapping.json
  $ rapport import leads big.csv --skip-invalid --errors rejected.csv
`;

/**
 * `rapport import <object> <file.csv>`: a CSV file into an object, all or nothing by default.
 *
 * @example
 * program.addCommand(importCommand());
 */
export function importCommand(): Command {
  return withDatabaseOptions(
    new Command('import')
      .description('import a CSV file into an object (upsert by external id; all or nothing)')
      .argument('<object>', 'object or table: leads, accounts, contacts, opportunities, ...')
      .argument('<file>', 'the CSV file (UTF-8, comma separated, header row)'),
  )
    .option(
      '--map <column=field>',
      'fill a field from a column; "column=" skips the column (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--mapping <file.json>', 'a JSON file { "column": "field" | null }')
    .option(
      '--owner <user>',
      'owner (user id or external id) of rows without an owner column value',
    )
    .option('--skip-invalid', 'import the good rows, skip the bad ones (committed in batches)')
    .option(
      '--errors <file.csv>',
      'with --skip-invalid: write the bad rows here, with line and error',
    )
    .option(
      '--batch-size <n>',
      'rows per transaction with --skip-invalid (default 500)',
      positiveInteger,
    )
    .addHelpText('after', examples)
    .action(async (objectArgument: string, file: string, flags: ImportFlags) => {
      const object = resolveObjectName(objectArgument);
      const opened = await openCrm(databaseLocation(flags.db), { migrate: true });
      const bar = createProgressBar(process.stderr);
      try {
        const tenant = tenantId(flags.tenant);
        await opened.crm.ensureTenant({ id: tenant, name: tenant });
        const scope = opened.crm.tenant(tenant).system();
        const summary = await importRecords(scope, {
          object,
          file,
          map: flags.map,
          ...(flags.mapping === undefined ? {} : { mappingFile: flags.mapping }),
          skipInvalid: flags.skipInvalid ?? false,
          ...(flags.errors === undefined ? {} : { errorsFile: flags.errors }),
          ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
          ...(flags.owner === undefined ? {} : { owner: flags.owner }),
          onProgress: (rows, progress) => bar.update(rows, progress),
        });
        bar.done();
        process.stdout.write(
          `${file} -> ${object}: ${summary.rows} rows, ${summary.created} created, ${summary.updated} existing (updated where changed), ${summary.rejected} rejected\n`,
        );
        if (summary.rejected > 0) {
          for (const error of summary.errors)
            process.stderr.write(`rapport: ${describeRowError(file, error)}\n`);
          process.stderr.write(
            `rapport: ${summary.rejected} rows skipped${flags.errors ? `; they are in ${flags.errors}` : ''}\n`,
          );
        }
      } catch (error) {
        bar.done();
        if (error instanceof ImportRejected) {
          for (const rowError of error.errors)
            process.stderr.write(`rapport: ${describeRowError(file, rowError)}\n`);
          if (error.rowsWithErrors > error.errors.length) {
            process.stderr.write(`rapport: ... (first ${error.errors.length} shown)\n`);
          }
          throw new InputError(error.message);
        }
        throw error;
      } finally {
        await opened.close();
      }
    });
}

function describeRowError(
  file: string,
  error: {
    line: number;
    column: string | undefined;
    field: string | undefined;
    code: string;
    message: string;
  },
): string {
  const where = error.column
    ? ` column "${error.column}"${error.field && error.field !== error.column ? ` (${error.field})` : ''}:`
    : error.field
      ? ` ${error.field}:`
      : '';
  return `${file}:${error.line}:${where} ${error.message} [${error.code}]`;
}
