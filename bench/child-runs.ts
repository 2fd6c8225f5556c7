/**
 * Child-process entry of the benchmark: cold dashboards (a fresh process, connection and page
 * cache) and the per-KPI probe (each KPI alone, so a KPI that does not finish can be stopped).
 * Usage: node --import tsx bench/child-runs.ts <json>
 */
import Database from 'better-sqlite3';
import { benchRanges, moneyFactors } from './bench-period.js';
import { collectGarbage, now } from './bench-stats.js';
import { figuresFromMeasures } from './dashboard-figures.js';
import { discoverPlugins } from './kpi-plugins.js';
import { openRapport, rapportDashboard } from './rapport-dashboard.js';
import { RssSampler } from './rss-sampler.js';
import { SqliteDashboard } from './sqlite-dashboard.js';

/** What the parent asks a child to do. */
export type ChildTask =
  | {
      readonly kind: 'cold-rapport';
      readonly file: string;
      readonly period: string;
      readonly ids: readonly string[];
    }
  | {
      readonly kind: 'cold-sql';
      readonly file: string;
      readonly period: string;
      readonly ids: readonly string[];
    }
  | {
      readonly kind: 'probe';
      readonly file: string;
      readonly period: string;
      readonly ids: readonly string[];
    };

/** A cold run's result line. */
export interface ColdResult {
  readonly ms: number;
  readonly peakAboveRestMb: number;
  readonly figures: number;
}

async function main(task: ChildTask): Promise<void> {
  const { plugins } = await discoverPlugins();
  const sampler = await RssSampler.start();
  collectGarbage();
  if (task.kind === 'probe') {
    const crm = openRapport(task.file, plugins);
    const kpis = crm.tenant('bench').system().kpis as unknown as {
      evaluate(ids: readonly string[], options: { period: string }): Promise<unknown>;
    };
    for (const id of task.ids) {
      process.stdout.write(`START ${id}\n`);
      const start = now();
      await kpis.evaluate([id], { period: task.period });
      process.stdout.write(`DONE ${id} ${now() - start}\n`);
    }
    await crm.destroy();
    return;
  }
  const rest = sampler.mark();
  const start = now();
  let figures: number;
  if (task.kind === 'cold-rapport') {
    const crm = openRapport(task.file, plugins);
    figures = (await rapportDashboard(crm, task.ids, task.period)).size;
    const ms = now() - start;
    await crm.destroy();
    report({ ms, peakAboveRestMb: sampler.read(rest).peakAboveRestMb, figures });
  } else {
    const database = new Database(task.file, { readonly: true });
    const dashboard = new SqliteDashboard(
      database,
      benchRanges(task.period),
      moneyFactors(database),
      task.ids,
    );
    figures = figuresFromMeasures(dashboard.run()).size;
    const ms = now() - start;
    database.close();
    report({ ms, peakAboveRestMb: sampler.read(rest).peakAboveRestMb, figures });
  }
}

function report(result: ColdResult): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

const argument = process.argv[2];
if (argument) {
  await main(JSON.parse(argument) as ChildTask);
  process.exit(0);
}
