import { type Command, CommanderError } from 'commander';
import { exitCodes, reportError } from './errors/cli-errors.js';
import { createProgram } from './program.js';

function configure(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) configure(sub);
}

/**
 * Runs `rapport` with arguments and returns the exit code: 0 ok, 1 bad input (a message on
 * stderr, no stack trace), 2 wrong usage.
 *
 * @example
 * process.exitCode = await runCli(process.argv);
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  configure(program);
  try {
    await program.parseAsync([...argv]);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successful exits; everything else commander throws is usage.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    return reportError(error, process.stderr);
  }
}
