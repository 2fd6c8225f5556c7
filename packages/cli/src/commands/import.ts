import { Command } from 'commander';
import { customFieldKinds, findMapping } from '../config/import-mappings.js';
import { openProject } from '../database/open-project.js';
import { InputError } from '../errors/cli-errors.js';
import { ImportRejected, type ImportSummary, importRecords } from '../import/import-records.js';
import { createProgressBar } from '../import/progress-bar.js';
import { importExport } from '../import/source-export.js';
import { importStageHistoryFile } from '../import/stage-history-import.js';
import { resolveObjectName } from '../objects/object-name.js';
import { type DatabaseFlags, positiveInteger, withDatabaseOptions } from './database-options.js';

interface ImportFlags extends DatabaseFlags {
  readonly map: string[];
  readonly set: string[];
  readonly mapping?: string;
  readonly from?: string;
  readonly skipInvalid?: boolean;
  readonly errors?: string;
  readonly batchSize?: number;
  readonly owner?: string;
  readonly ignoreUnmapped?: boolean;
  readonly dateFormat?: string;
  readonly decimalComma?: boolean;
  readonly dryRun?: boolean;
  readonly history?: boolean;
}

const examples = `
Columns fill fields by name (case, spaces and _ ignored: "Close Date" fills closeDate; "Id" or
"External Id" fill externalId). One column must fill externalId: rows upsert on it, so importing
the same file again, or again after a crash, creates no duplicates. Money columns are in major
units (1234.56) of the row's currency column, else of the tenant's base currency. References
(accountId, ownerId, ...) take a record id or an external id. Custom fields of the project
configuration are custom.<name>. A column may fill several fields (repeat --map).

--mapping takes a JSON file, a mapping named in the config, or a shipped one (salesforce.lead,
salesforce.account, salesforce.contact, salesforce.opportunity, hubspot.contacts,
hubspot.companies, hubspot.deals, pipedrive.persons, pipedrive.organizations, pipedrive.deals).

--history also imports what a record's past says: its own creation (createdAt, createdBy), a
lead's conversion (converted, convertedAt, convertedAccountId, convertedContactId,
convertedOpportunityId) and a deal's lead (leadId, leadConvertedAt), done with the engine's lead
conversion.

stage-history imports a file of deal stage changes (opportunityId: the deal's id or external id,
stage, amount, probability, closeDate, changedAt, changedBy), each dated by its changedAt; all or
nothing, and importing it again changes nothing (shipped: salesforce.opportunityHistory).

Examples:
  $ rapport import users reps.csv
  $ rapport import leads leads.csv --owner rep-17
  $ rapport import opportunities deals.csv --map "Deal=name" --map "Deal=externalId" --set "stage=Closed Won"
  $ rapport import accounts kunden.csv --date-format dd.MM.yyyy --decimal-comma --ignore-unmapped
  $ rapport import accounts customers.csv --map "Contract=custom.contract" --dry-run
  $ rapport import leads big.csv --skip-invalid --errors rejected.csv
  $ rapport import leads Lead.csv --mapping salesforce.lead --history
  $ rapport import stage-history OpportunityHistory.csv --mapping salesforce.opportunityHistory
  $ rapport import --from salesforce ./salesforce-export
`;

/** What one file's import printed. */
function describeSummary(file: string, object: string, summary: ImportSummary): string {
  const converted = summary.converted > 0 ? `, ${summary.converted} leads converted` : '';
  const dry = summary.dryRun ? ' (dry run: nothing written)' : '';
  return `${file} -> ${object}: ${summary.rows} rows, ${summary.created} created, ${summary.updated} existing (updated where changed), ${summary.rejected} rejected${converted}${dry}\n`;
}

/**
 * `rapport import <object> <file.csv>`: a CSV file into an object, all or nothing by default;
 * `rapport import --from salesforce <folder>`: a whole export, in dependency order.
 *
 * @example
 * program.addCommand(importCommand());
 */
export function importCommand(): Command {
  return withDatabaseOptions(
    new Command('import')
      .description('import a CSV file into an object (upsert by external id; all or nothing)')
      .argument('[object]', 'object or table: leads, accounts, contacts, opportunities, ...')
      .argument(
        '[file]',
        'the CSV file (UTF-8, comma separated, header row); with --from, the folder',
      ),
  )
    .option(
      '--map <column=field>',
      'fill a field from a column; "column=" skips the column (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      '--set <field=value>',
      'give every row this value where no column fills the field (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      '--mapping <file.json|name>',
      'a mapping file, a mapping of the config, or a shipped one',
    )
    .option('--from <system>', 'import a whole export folder: salesforce, hubspot or pipedrive')
    .option('--ignore-unmapped', 'skip columns that match no field instead of refusing the file')
    .option(
      '--date-format <format>',
      'dates as dd.MM.yyyy, MM/dd/yyyy, epoch-s, epoch-ms (default ISO)',
    )
    .option('--decimal-comma', 'numbers are written 1.234,56')
    .option('--dry-run', 'check the whole file (rules, references) and write nothing')
    .option('--history', "also import each record's history: lead conversions, a deal's lead")
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
    .action(
      async (
        objectArgument: string | undefined,
        fileArgument: string | undefined,
        flags: ImportFlags,
      ) => {
        const project = await openProject(flags, { migrate: true, prepareTenant: true });
        const bar = createProgressBar(process.stderr);
        let current = fileArgument ?? objectArgument ?? '';
        try {
          const scope = project.system();
          const fields = project.config?.config.fields;
          const common = {
            map: flags.map,
            constants: flags.set,
            skipInvalid: flags.skipInvalid ?? false,
            dryRun: flags.dryRun ?? false,
            history: flags.history ?? false,
            ...(flags.ignoreUnmapped ? { ignoreUnmapped: true } : {}),
            ...(flags.dateFormat === undefined ? {} : { dateFormat: flags.dateFormat }),
            ...(flags.decimalComma ? { decimal: ',' as const } : {}),
            ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
            ...(flags.owner === undefined ? {} : { owner: flags.owner }),
            onProgress: (rows: number, progress: { bytes: number; total: number }) =>
              bar.update(rows, progress),
          };
          if (flags.from !== undefined) {
            const folder = objectArgument;
            if (!folder || fileArgument !== undefined) {
              throw new InputError(
                '--from takes one argument, the export folder: rapport import --from salesforce ./export',
              );
            }
            await importExport(scope, flags.from, folder, {
              ...common,
              fields,
              onFile: (file, object) => {
                current = file;
                bar.done();
                process.stderr.write(`rapport: importing ${file} -> ${object}\n`);
              },
              onSummary: (file, object, summary) => {
                bar.done();
                process.stdout.write(describeSummary(file, object, summary));
              },
            });
            return;
          }
          if (!objectArgument || !fileArgument) {
            throw new InputError('give the object and the file: rapport import leads leads.csv');
          }
          const object = resolveObjectName(objectArgument);
          const named =
            flags.mapping === undefined ? undefined : findMapping(flags.mapping, project.config);
          if ((named?.object ?? object) === 'stageHistory') {
            if (flags.skipInvalid) {
              throw new InputError(
                'stage history is imported all or nothing: --skip-invalid does not apply',
              );
            }
            const history = await importStageHistoryFile(scope, {
              file: fileArgument,
              map: flags.map,
              constants: flags.set,
              dryRun: flags.dryRun ?? false,
              ...(named
                ? { mapping: named }
                : flags.mapping === undefined
                  ? {}
                  : { mappingFile: flags.mapping }),
              ...(flags.ignoreUnmapped ? { ignoreUnmapped: true } : {}),
              ...(flags.dateFormat === undefined ? {} : { dateFormat: flags.dateFormat }),
              ...(flags.decimalComma ? { decimal: ',' as const } : {}),
              onProgress: common.onProgress,
            });
            bar.done();
            const dry = history.dryRun ? ' (dry run: nothing written)' : '';
            process.stdout.write(
              `${fileArgument} -> stageHistory: ${history.rows} rows, ${history.created} changes created, ${history.updated} rewritten, ${history.unchanged} unchanged, ${history.replaced} creation entries replaced, ${history.skipped} rows without a stage skipped${dry}\n`,
            );
            return;
          }
          const summary = await importRecords(scope, {
            ...common,
            object: named?.object ?? object,
            file: fileArgument,
            ...(named
              ? { mapping: named }
              : flags.mapping === undefined
                ? {}
                : { mappingFile: flags.mapping }),
            ...(flags.errors === undefined ? {} : { errorsFile: flags.errors }),
            ...(flags.owner === undefined && named?.owner !== undefined
              ? { owner: named.owner }
              : {}),
            customKinds: customFieldKinds(fields, named?.object ?? object),
          });
          bar.done();
          process.stdout.write(describeSummary(fileArgument, object, summary));
          if (summary.rejected > 0) {
            for (const error of summary.errors)
              process.stderr.write(`rapport: ${describeRowError(fileArgument, error)}\n`);
            process.stderr.write(
              `rapport: ${summary.rejected} rows skipped${flags.errors ? `; they are in ${flags.errors}` : ''}\n`,
            );
          } else if (summary.dryRun) {
            process.stdout.write(
              `${fileArgument}: every row is valid; run again without --dry-run to import\n`,
            );
          }
        } catch (error) {
          bar.done();
          if (error instanceof ImportRejected) {
            for (const rowError of error.errors)
              process.stderr.write(
                `rapport: ${describeRowError(error.file || current, rowError)}\n`,
              );
            if (error.rowsWithErrors > error.errors.length) {
              process.stderr.write(
                `rapport: ... (first ${error.errors.length} of ${error.rowsWithErrors} bad rows shown)\n`,
              );
            }
            throw new InputError(error.message);
          }
          throw error;
        } finally {
          await project.close();
        }
      },
    );
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
