import { type Command, CommanderError } from 'commander';
import { exitCodes, reportError } from './errors/cli-errors.js';
import { createProgram } from './program.js';
import { cliLanguage } from './report/cli-language.js';
import { localizeProgram, localizeStreams } from './report/localize-cli.js';

function configure(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) configure(sub);
}

/**
 * Runs `rapport` with arguments and returns the exit code: 0 ok, 1 bad input (a message on
 * stderr, no stack trace), 2 wrong usage. The locale of `env` (LC_ALL, LC_MESSAGES, LANG)
 * picks the language of every line: German for `de_*`, else English.
 *
 * @example
 * process.exitCode = await runCli(process.argv);
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const language = cliLanguage(env);
  const program = createProgram();
  configure(program);
  localizeProgram(program, language);
  // Data on stdout (an export, --json, --csv) is written as it is, in any locale; help is not data.
  const help = argv.includes('--help') || argv.includes('-h');
  const data = !help && (argv[2] === 'export' || argv.includes('--json') || argv.includes('--csv'));
  const restore = localizeStreams(language, { data });
  try {
    await program.parseAsync([...argv]);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successful exits; everything else commander throws is usage.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    return reportError(error, process.stderr);
  } finally {
    restore();
  }
}
