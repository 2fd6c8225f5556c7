import { existsSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { starterConfig } from '../config/starter-config.js';
import { InputError } from '../errors/cli-errors.js';

/**
 * `rapport init`: writes a commented starter `rapport.config.ts` (or `.json`) in the working
 * directory; an existing file is never overwritten.
 *
 * @example
 * program.addCommand(initCommand());
 */
export function initCommand(): Command {
  return new Command('init')
    .description('write a commented starter rapport.config.ts (or .json) here')
    .addOption(
      new Option('--format <format>', 'config format').choices(['ts', 'json']).default('ts'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ rapport init
  $ rapport init --format json
`,
    )
    .action((flags: { format: 'ts' | 'json' }) => {
      const file = `rapport.config.${flags.format}`;
      if (existsSync(file)) throw new InputError(`${file} exists; not overwritten`);
      writeFileSync(file, starterConfig(flags.format));
      process.stdout.write(`wrote ${file}; edit it, then: rapport import ...\n`);
    });
}
