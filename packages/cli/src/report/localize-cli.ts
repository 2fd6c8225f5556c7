import type { Command, Help, Option } from 'commander';
import { errorMessagesDe } from '../errors/error-messages-de.js';
import { helpMessagesDe } from './help-messages-de.js';
import { createTranslator, type Translator } from './message-catalogue.js';
import type { ReportLanguage } from './number-format.js';
import { reportMessagesDe } from './report-messages-de.js';

/**
 * The translator of the CLI's lines for a language: German from the report and error
 * catalogues; English as the lines are written (the English text is the message id).
 *
 * @example
 * cliTranslator('de').message('no KPI plugins are installed'); // 'keine KPI-Plugins installiert'
 */
export function cliTranslator(language: ReportLanguage): Translator {
  if (language === 'en') return { message: (text) => text, text: (text) => text };
  // `rapport: <message>` on stderr: the prefix stays, the message is translated.
  return createTranslator(
    { ...helpMessagesDe, ...reportMessagesDe, ...errorMessagesDe },
    { prefixes: ['rapport: '] },
  );
}

/** The extra info of an option's help (choices, default) with German labels. */
function optionDescriptionDe(option: Option, translate: Translator): string {
  const extra: string[] = [];
  if (option.argChoices) {
    extra.push(`Auswahl: ${option.argChoices.map((choice) => JSON.stringify(choice)).join(', ')}`);
  }
  const shown =
    option.required ||
    option.optional ||
    (option.isBoolean() && typeof option.defaultValue === 'boolean');
  if (option.defaultValue !== undefined && shown) {
    const value = option.defaultValueDescription
      ? translate.message(option.defaultValueDescription)
      : JSON.stringify(option.defaultValue);
    extra.push(`Standard: ${value}`);
  }
  const description = option.description;
  if (extra.length === 0) return description;
  return description ? `${description} (${extra.join(', ')})` : `(${extra.join(', ')})`;
}

/**
 * Puts a program in a language: `--lang` options default to it (so a German locale gets German
 * reports), and in German the descriptions of commands, arguments and options (before commander
 * wraps them), the help and version options and the help's extra info are translated. The
 * help's other lines (titles, examples) are lines like any other: {@link localizeStreams}.
 *
 * @example
 * localizeProgram(createProgram(), 'de');
 */
export function localizeProgram(program: Command, language: ReportLanguage): void {
  const translate = cliTranslator(language);
  const visit = (command: Command) => {
    for (const option of command.options) {
      if (option.attributeName() === 'lang' && option.argChoices?.includes(language)) {
        option.default(language);
        // Commander stored the declared default when the option was added.
        command.setOptionValueWithSource('lang', language, 'default');
      }
    }
    if (language === 'de') {
      command.description(translate.message(command.description()));
      for (const option of command.options)
        option.description = translate.message(option.description);
      for (const argument of command.registeredArguments)
        argument.description = translate.message(argument.description);
      command.helpOption('-h, --help', 'Hilfe zum Befehl anzeigen');
      command.configureHelp({
        optionDescription: (option: Option) => optionDescriptionDe(option, translate),
      } satisfies Partial<Help>);
    }
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
  if (language === 'de' && program.commands.length > 0)
    program.helpCommand('help [command]', 'Hilfe zu einem Befehl anzeigen');
}

/**
 * Translates what the CLI writes on stdout and stderr, line by line, until the returned
 * function restores the streams. Commands write their English lines as they are (each line is
 * its message id), so a command added later is translated once the catalogue has its lines;
 * the German-locale test of the binary finds those that are not. Data (`export`, `--json`,
 * `--csv`) is never rewritten: pass `data` to leave stdout alone.
 *
 * @example
 * const restore = localizeStreams('de', { data: false });
 * try { await program.parseAsync(argv); } finally { restore(); }
 */
export function localizeStreams(language: ReportLanguage, options: { data: boolean }): () => void {
  if (language === 'en') return () => undefined;
  const translate = cliTranslator(language);
  const streams = options.data ? [process.stderr] : [process.stdout, process.stderr];
  const restores = streams.map((stream) => {
    const write = stream.write;
    // Cast: the wrapper takes write's overloads as they are and only rewrites string chunks.
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      Reflect.apply(write, stream, [
        typeof chunk === 'string' ? translate.text(chunk) : chunk,
        ...rest,
      ])) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  return () => {
    for (const restore of restores) restore();
  };
}
