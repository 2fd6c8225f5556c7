import { type AuditEntry, type AuditQuery, auditPlugin } from '@rapport/audit';
import { createCrm, isRapportError } from '@rapport/core';
import { Command } from 'commander';
import { databaseLocation, tenantId } from '../database/database-location.js';
import { openStorage } from '../database/open-crm.js';
import { InputError } from '../errors/cli-errors.js';
import { type DatabaseFlags, positiveInteger, withDatabaseOptions } from './database-options.js';

interface AuditFlags extends DatabaseFlags {
  readonly object?: string;
  readonly id?: string;
  readonly actor?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly json?: boolean;
  readonly purge?: boolean;
  readonly retentionDays?: number;
}

function line(entry: AuditEntry): string {
  const fields = entry.changes
    .map(
      (change) => `${change.field}: ${JSON.stringify(change.old)} -> ${JSON.stringify(change.new)}`,
    )
    .join('; ');
  return `${entry.at}  ${entry.action.padEnd(6)}  ${entry.object} ${entry.recordId}  by ${entry.actorId} (${entry.actorRole}, ${entry.source})  ${fields}`;
}

/**
 * `rapport audit`: the audit trail of a tenant (newest first), filtered by object, record,
 * actor and time; `--purge` deletes the entries older than the retention period.
 *
 * @example
 * program.addCommand(auditCommand());
 */
export function auditCommand(): Command {
  return withDatabaseOptions(
    new Command('audit').description(
      'show the audit trail: who changed what, when, old and new values',
    ),
  )
    .option('--object <name>', 'only this object (lead, opportunity, ...)')
    .option('--id <recordId>', 'only this record')
    .option('--actor <userId>', 'only writes by this actor')
    .option('--from <time>', 'entries at or after this ISO-8601 time')
    .option('--to <time>', 'entries at or before this ISO-8601 time')
    .option('--limit <n>', 'at most this many entries (default 50)', positiveInteger)
    .option('--json', 'print the entries as JSON')
    .option('--purge', 'delete entries older than the retention period, then exit')
    .option(
      '--retention-days <days>',
      'retention period for --purge (default 730)',
      positiveInteger,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ rapport audit --object opportunity --id 0193a1c2-...
  $ rapport audit --actor 0193a1c2-... --from 2026-01-01T00:00:00Z --json
  $ rapport audit --purge --retention-days 365
`,
    )
    .action(async (flags: AuditFlags) => {
      const storage = openStorage(databaseLocation(flags.db));
      const plugin = auditPlugin(
        flags.retentionDays === undefined ? {} : { retentionDays: flags.retentionDays },
      );
      const crm = createCrm({ storage, plugins: [plugin] });
      try {
        await crm.migrate();
        const audit = crm.plugin('audit');
        if (flags.purge) {
          process.stdout.write(
            `${await audit.purge()} entries older than ${audit.retentionDays} days deleted\n`,
          );
          return;
        }
        const query: AuditQuery = {
          // The plugin's query schema checks the name and reports a wrong one.
          ...(flags.object === undefined ? {} : { object: flags.object as AuditQuery['object'] }),
          ...(flags.id === undefined ? {} : { recordId: flags.id }),
          ...(flags.actor === undefined ? {} : { actorId: flags.actor }),
          ...(flags.from === undefined ? {} : { from: flags.from }),
          ...(flags.to === undefined ? {} : { to: flags.to }),
          limit: flags.limit ?? 50,
        };
        const page = await audit
          .list(crm.tenant(tenantId(flags.tenant)).system(), query)
          .catch((error: unknown) => {
            if (isRapportError(error)) {
              const issue = error.issues[0];
              throw new InputError(
                issue ? `--${String(issue.path[0] ?? 'query')}: ${issue.message}` : error.message,
              );
            }
            throw error;
          });
        if (flags.json) process.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
        else for (const entry of page.items) process.stdout.write(`${line(entry)}\n`);
      } finally {
        await crm.destroy();
      }
    });
}
