import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { errorMessagesDe } from './errors/error-messages-de.js';
import { createProgram } from './program.js';
import { reportMessagesDe } from './report/report-messages-de.js';

// The built binary as a German user runs it; `npm test` builds first.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const sources = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rapport-cli-de-'));
const {
  RAPPORT_DB: _db,
  RAPPORT_TENANT: _tenant,
  LC_ALL: _all,
  LC_MESSAGES: _messages,
  ...env
} = process.env;
const german = { ...env, LANG: 'de_DE.UTF-8' };

interface Run {
  readonly args: readonly string[];
  readonly code: number;
  readonly output: string;
}

function rapport(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, env: german, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ args, code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Every .ts source of the CLI but tests. */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    // The German catalogues hold translations, not messages.
    return path.endsWith('.ts') && !/(\.test(-d)?|-de)\.ts$/.test(path) ? [path] : [];
  });
}

const functionWords =
  /\b(the|a|an|of|to|in|is|are|no|not|and|or|with|without|for|from|by|on|at|as|this|that|be|was|were|has|have|it|its|per|each|every|one|else|here|how|what|when|which|only)\b/i;

const germanWords = /\b(der|die|das|und|nicht|ist|mit|bis|jetzt|keine?|sind|wird|nach|oder)\b/;

/**
 * The English messages: the static parts of the CLI's string literals (template literals cut
 * at their values) that read as English (three words or more, one of them a function word),
 * and the catalogues' English keys. Code (object literals, option flags, example commands) is
 * left out, and so is the German of the sources (the report's `de ? ... : ...` branches).
 */
function englishMessages(): string[] {
  const found = new Set<string>();
  const add = (part: string) => {
    const text = part.trim();
    if ((text.match(/[A-Za-z]{2,}/g) ?? []).length < 3 || !functionWords.test(text)) return;
    if (/[{}]|=>|^\$ |[äöüß]/.test(text) || germanWords.test(text)) return;
    // Flags with their values (`--by owner --db`) are a command line, not a sentence.
    if (/^(--?[\w-]+( [\w.<>-]+)?\s*)+$/.test(text)) return;
    found.add(text);
  };
  for (const file of sourceFiles(sources)) {
    // Comments are not messages.
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of code.matchAll(
      /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g,
    )) {
      const text = match[1] ?? match[2] ?? (match[3] ?? '').replace(/\$\{[^}]*\}/g, '\u0000');
      // A hand-wrapped help text shows its lines as they are: each line is checked.
      for (const piece of text.split('\u0000')) for (const line of piece.split(/\\n|\n/)) add(line);
    }
  }
  for (const key of Object.keys({ ...reportMessagesDe, ...errorMessagesDe }))
    for (const piece of key.split(/\{\w+\}/)) add(piece);
  return [...found];
}

beforeAll(() => {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: build with npm run build -w @rapport/cli`);
});

test('with a German locale every command speaks German: help, reports, progress, errors', async () => {
  const db = 'demo.sqlite';
  writeFileSync(join(dir, 'leads.csv'), 'Id,Last Name,Company,Email\nL1,Doe,Acme,not-an-email\n');
  const commands = createProgram().commands.map((command) => command.name());
  expect(commands.length).toBeGreaterThanOrEqual(10);
  const runs: Run[] = [];
  runs.push(await rapport('--help'));
  runs.push(await rapport('help'));
  runs.push(await rapport('nope'));
  for (const command of commands) runs.push(await rapport(command, '--help'));
  // Commands that work, then each one's most common mistakes.
  runs.push(await rapport('demo', '--db', db));
  runs.push(await rapport('kpi', '--db', db));
  runs.push(
    await rapport('kpi', 'closing', 'pipeline', '--db', db, '--period', '2017', '--by', 'owner'),
  );
  runs.push(await rapport('kpi', 'nope', '--db', db));
  runs.push(await rapport('kpi', '--db', 'missing.sqlite'));
  runs.push(await rapport('kpi', '--nope'));
  runs.push(await rapport('kpi', 'closing', '--db', db, '--lang', 'fr'));
  runs.push(await rapport('migrate', '--db', db));
  runs.push(await rapport('import', 'leads', 'leads.csv', '--db', db, '--dry-run'));
  runs.push(await rapport('import', 'leads', 'missing.csv', '--db', db));
  runs.push(await rapport('import', 'deals', 'leads.csv', '--db', db));
  runs.push(await rapport('import', '--db', db));
  runs.push(await rapport('export', 'deals', '--db', db));
  runs.push(await rapport('export'));
  runs.push(await rapport('copy', '--from', db));
  runs.push(await rapport('serve', '--db', db, '--port', 'x'));
  runs.push(await rapport('serve', '--db', 'missing.sqlite'));
  // The audit and predict commands open a database without the API's tables: one of their own.
  runs.push(await rapport('audit', '--db', 'audit.sqlite'));
  runs.push(await rapport('audit', '--db', 'audit.sqlite', '--from', 'yesterday'));
  runs.push(await rapport('score', 'deals', '--db', 'predict.sqlite'));
  runs.push(await rapport('score', 'leads', '--db', 'predict.sqlite'));
  runs.push(
    await rapport(
      'forecast',
      '--db',
      'predict.sqlite',
      '--period',
      '2017-Q4',
      '--as-of',
      '2017-10-01',
    ),
  );
  // The same commands on the demo's history, where they have a model, a forecast and a backtest
  // to print.
  const scored = await rapport('score', 'leads', '--db', db, '--limit', '3');
  runs.push(scored, await rapport('score', 'leads', '--evaluate', '--db', db));
  const forecast = await rapport('forecast', '--db', db, '--runs', '500');
  const backtest = await rapport(
    'forecast',
    '--backtest',
    '--periods',
    '2026-Q2',
    '--runs',
    '500',
    '--db',
    db,
  );
  runs.push(forecast, backtest);
  expect(scored.output).toContain('offene Leads bewertet');
  expect(forecast.output).toContain('Forecast-Kategorien');
  expect(backtest.output).toContain('Ist innerhalb P10–P90');
  // Last: the config init writes would be read by the commands after it.
  runs.push(await rapport('init'));
  runs.push(await rapport('init'));
  // The German is there (the commands ran), and no English message is left in any line.
  const english = englishMessages();
  expect(english.length).toBeGreaterThan(100);
  // Help wraps long lines: words are compared with their spacing made one blank.
  const flat = (text: string) => text.replace(/\s+/g, ' ');
  const untranslated = runs.flatMap((run) =>
    english
      .filter((message) => flat(run.output).includes(flat(message)))
      .map((message) => `rapport ${run.args.join(' ')}: ${message}`),
  );
  expect(untranslated).toEqual([]);
  expect(runs.find((r) => r.args[0] === 'demo' && r.args[1] === '--db')?.output).toContain(
    'Zeitraum',
  );
  expect(runs.find((r) => r.args[0] === '--help')?.output).toContain('Befehle:');
}, 300_000);
