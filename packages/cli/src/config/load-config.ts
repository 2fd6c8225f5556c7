import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createJiti } from 'jiti';
import type { z } from 'zod';
import { InputError } from '../errors/cli-errors.js';
import { readUtf8File } from '../import/utf8-check.js';
import { rapportConfigSchema } from './config-schema.js';

/** The file names `rapport` looks for, in this order, in the working directory. */
export const configFileNames = [
  'rapport.config.ts',
  'rapport.config.mts',
  'rapport.config.js',
  'rapport.config.mjs',
  'rapport.config.json',
] as const;

/** A checked project configuration and where it was found. */
export interface LoadedConfig {
  /** The configuration, checked (defaults are not filled in). */
  readonly config: z.output<typeof rapportConfigSchema>;
  /** The file it came from. */
  readonly file: string;
  /** Its directory: relative plugin paths and database files are resolved from here. */
  readonly directory: string;
}

/**
 * The configuration file: `path` (from `--config` or `RAPPORT_CONFIG`) if given, else the first of
 * {@link configFileNames} in `cwd`, else none.
 *
 * @example
 * findConfigFile(undefined, process.cwd()); // '/app/rapport.config.ts' or undefined
 */
export function findConfigFile(
  path: string | undefined,
  cwd: string,
  env = process.env,
): string | undefined {
  const explicit = path ?? env.RAPPORT_CONFIG;
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new InputError(`config file ${explicit} not found`);
    return file;
  }
  return configFileNames.map((name) => resolve(cwd, name)).find((file) => existsSync(file));
}

function describeIssues(file: string, error: z.ZodError): string {
  return error.issues
    .map(
      (issue) =>
        `${file}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
    )
    .join('\n');
}

/**
 * Reads and checks a configuration file: TypeScript and JavaScript through jiti (no build step),
 * JSON as JSON; both checked with the same zod schema, each problem named by its path
 * (`fields.account.contract.type: Invalid option`).
 *
 * @example
 * const loaded = await readConfigFile('rapport.config.json');
 */
export async function readConfigFile(file: string): Promise<LoadedConfig> {
  let raw: unknown;
  try {
    if (file.endsWith('.json')) {
      raw = JSON.parse(readUtf8File(file));
    } else {
      const jiti = createJiti(import.meta.url, { moduleCache: false });
      raw = await jiti.import(file, { default: true });
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const parsed = rapportConfigSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(describeIssues(file, parsed.error));
  return { config: parsed.data, file, directory: dirname(file) };
}

/**
 * The project configuration for a command, or undefined when there is none.
 *
 * @example
 * const loaded = await loadConfig({ path: flags.config });
 */
export async function loadConfig(
  options: { readonly path?: string | undefined; readonly cwd?: string } = {},
): Promise<LoadedConfig | undefined> {
  const file = findConfigFile(options.path, options.cwd ?? process.cwd());
  return file === undefined ? undefined : readConfigFile(file);
}

/**
 * A plugin entry of the config as `import()` takes it: package names stay, paths (`./kpis.ts`)
 * resolve from the config's directory.
 *
 * @example
 * pluginSpecifier('./my-kpis.ts', '/app'); // '/app/my-kpis.ts'
 */
export function pluginSpecifier(entry: string, directory: string): string {
  return entry.startsWith('.') || isAbsolute(entry) ? resolve(directory, entry) : entry;
}
