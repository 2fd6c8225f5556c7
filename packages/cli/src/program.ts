import { Command } from 'commander';
import { auditCommand } from './commands/audit.js';
import { copyCommand } from './commands/copy.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { forecastCommand } from './commands/forecast.js';
import { importCommand } from './commands/import.js';
import { initCommand } from './commands/init.js';
import { kpiCommand } from './commands/kpi.js';
import { migrateCommand } from './commands/migrate.js';
import { rollupsCommand } from './commands/rollups.js';
import { scoreCommand } from './commands/score.js';
import { serveCommand } from './commands/serve.js';
import { cliVersion } from './version.js';

/**
 * The `rapport` program: one command per file under `commands/`.
 *
 * @example
 * await createProgram().parseAsync(['node', 'rapport', 'migrate']);
 */
export function createProgram(): Command {
  const program = new Command('rapport')
    .description('Rapport, an embeddable CRM engine: demo, import, export, KPIs')
    .version(cliVersion)
    .showHelpAfterError('(add --help for usage)');
  program.addCommand(initCommand());
  program.addCommand(demoCommand());
  program.addCommand(importCommand());
  program.addCommand(exportCommand());
  program.addCommand(kpiCommand());
  program.addCommand(scoreCommand());
  program.addCommand(forecastCommand());
  program.addCommand(migrateCommand());
  program.addCommand(rollupsCommand());
  program.addCommand(copyCommand());
  program.addCommand(serveCommand());
  program.addCommand(auditCommand());
  return program;
}
