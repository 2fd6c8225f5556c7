import { expect, test } from 'vitest';
import { cliLanguage } from './cli-language.js';
import { createTranslator } from './message-catalogue.js';

const translator = createTranslator(
  {
    'file {file} not found': 'Datei {file} nicht gefunden',
    '{file}:{line}: column "{column}": {reason} [{code}]':
      '{file}:{line}: Spalte "{column}": {reason} [{code}]',
    'Invalid email address': 'Ungültige E-Mail-Adresse',
    '{count} rows copied to {target}': '{count} Zeilen kopiert nach {target}',
    'Examples:\n  $ rapport demo': 'Beispiele:\n  $ rapport demo',
  },
  { prefixes: ['rapport: '] },
);

test('a message: its template translated with the values in place, else as it is', () => {
  expect(translator.message('file leads.csv not found')).toBe('Datei leads.csv nicht gefunden');
  expect(translator.message('500 rows copied to postgres://db/crm')).toBe(
    '500 Zeilen kopiert nach postgres://db/crm',
  );
  expect(translator.message('file leads.csv was found')).toBe('file leads.csv was found');
});

test('a value that is a message is translated inside the outer one', () => {
  expect(
    translator.message('leads.csv:4: column "Email": Invalid email address [VALIDATION]'),
  ).toBe('leads.csv:4: Spalte "Email": Ungültige E-Mail-Adresse [VALIDATION]');
});

test('text: line by line, indentation, prefixes and line ends kept; a block as one message', () => {
  expect(translator.text('rapport: file a.csv not found\n  file b.csv not found\r\n')).toBe(
    'rapport: Datei a.csv nicht gefunden\n  Datei b.csv nicht gefunden\r\n',
  );
  expect(translator.text('\nExamples:\n  $ rapport demo\n')).toBe(
    '\nBeispiele:\n  $ rapport demo\n',
  );
  expect(translator.text('Rep  ████ 12\n')).toBe('Rep  ████ 12\n');
});

test('the language from the POSIX locale variables, LC_ALL first', () => {
  expect(cliLanguage({ LANG: 'de_DE.UTF-8' })).toBe('de');
  expect(cliLanguage({ LANG: 'de' })).toBe('de');
  expect(cliLanguage({ LC_MESSAGES: 'de_AT.UTF-8', LANG: 'en_US.UTF-8' })).toBe('de');
  expect(cliLanguage({ LC_ALL: 'C', LANG: 'de_DE.UTF-8' })).toBe('en');
  expect(cliLanguage({ LANG: 'dev' })).toBe('en');
  expect(cliLanguage({})).toBe('en');
});
