import { type Command, InvalidArgumentError } from 'commander';

/** The options every command that opens the database takes. */
export interface DatabaseFlags {
  readonly db?: string;
  readonly tenant?: string;
  readonly config?: string;
}

/**
 * Adds `--db` and `--tenant` to a command.
 *
 * @example
 * withDatabaseOptions(program.command('export'));
 */
export function withDatabaseOptions(command: Command): Command {
  return command
    .option(
      '--db <location>',
      'SQLite file or postgres:// URL (default: $RAPPORT_DB, else the config, else rapport-demo.sqlite)',
    )
    .option('--tenant <id>', 'tenant id (default: $RAPPORT_TENANT, else the config, else demo)')
    .option(
      '--config <file>',
      'project configuration (default: $RAPPORT_CONFIG, else rapport.config.{ts,mts,js,mjs,json} here)',
    );
}

/** Parses a positive whole number option (commander reports a bad one as a usage error). */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  }
  return number;
}
