import type { ReportLanguage } from './number-format.js';

/**
 * The language of the CLI's lines from the POSIX locale: `LC_ALL`, else `LC_MESSAGES`, else
 * `LANG` (the first one set wins, as setlocale(3) reads them); German for `de`, `de_DE.UTF-8`,
 * `de_AT`, ..., English otherwise (`C`, `POSIX`, unset).
 *
 * @example
 * cliLanguage({ LANG: 'de_DE.UTF-8' }); // 'de'
 * cliLanguage({ LC_ALL: 'C', LANG: 'de_DE.UTF-8' }); // 'en'
 */
export function cliLanguage(env: Readonly<Record<string, string | undefined>>): ReportLanguage {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value && value !== '');
  return locale && /^de([_.@-]|$)/i.test(locale) ? 'de' : 'en';
}
