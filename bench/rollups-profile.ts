/**
 * Where the dashboard spends its time with rollups on: per SQL statement (time and runs), the
 * time outside SQLite, and each KPI evaluated alone (totals, by owner, by product).
 * Usage: node --import tsx bench/rollups-profile.ts <file> [kpi-prefix,...] [--scan] [--declared]
 * The file must hold built rollups (the rollups bench leaves none; run `rebuildRollups` first, or
 * pass --rebuild).
 */
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import Database from 'better-sqlite3';
import { benchNow, benchTenant } from './dataset.js';
import { discoverPlugins, kpiIds } from './kpi-plugins.js';
import { defaultPeriod, rapportDashboard } from './rapport-dashboard.js';
import { addInto, type StatementTimes, watchStatements } from './statement-watch.js';

const args = process.argv.slice(2);
const [file, prefixes] = args.filter((arg) => !arg.startsWith('--'));
if (!file)
  throw new Error('usage: rollups-profile.ts <file> [kpi-prefix,...] [--scan] [--rebuild]');
const scan = args.includes('--scan');
const { plugins } = await discoverPlugins();
const database = new Database(file);
const totals: StatementTimes = new Map();
watchStatements(database, addInto(totals));
const crm = createCrm({
  // No reader threads: every statement runs on `database`, where it is timed.
  storage: sqliteStorage({ database, readers: 0 }),
  plugins,
  now: () => benchNow,
  rollups: !scan,
});
if (args.includes('--rebuild')) {
  const start = performance.now();
  const [report] = await crm.rebuildRollups({ tenantId: benchTenant.id });
  console.log(`rebuilt ${report?.cells} cells in ${(performance.now() - start).toFixed(0)} ms`);
}
const declared = new Set(
  plugins
    // Declared KPIs, and query KPIs whose facts are rolled up (`facts`: the stage history KPIs).
    .flatMap((plugin) =>
      (plugin.kpis ?? []).filter((kpi) => 'measures' in kpi || (kpi.facts?.length ?? 0) > 0),
    )
    .map((kpi) => kpi.id),
);
const all = kpiIds(plugins).filter((id) => !args.includes('--declared') || declared.has(id));
const ids = prefixes
  ? all.filter((id) => prefixes.split(',').some((prefix) => id.startsWith(prefix)))
  : all;
await rapportDashboard(crm, ids, defaultPeriod);
totals.clear();
const start = performance.now();
await rapportDashboard(crm, ids, defaultPeriod);
const total = performance.now() - start;
let sqlMs = 0;
let statements = 0;
for (const { ms, runs } of totals.values()) {
  sqlMs += ms;
  statements += runs;
}
console.log(
  `dashboard (${scan ? 'scan' : 'rollups'}, ${ids.length} KPIs) ${total.toFixed(0)} ms in ${statements} statements, in SQLite ${sqlMs.toFixed(0)} ms, outside ${(total - sqlMs).toFixed(0)} ms`,
);
for (const [text, { ms, runs }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
  console.log(
    `${ms.toFixed(1).padStart(8)} ms ${String(runs).padStart(3)}x  ${text.replace(/\s+/g, ' ').slice(0, Number(process.env.SQL_CHARS ?? 300))}`,
  );
// Erased: the ids are discovered at run time (the typed evaluate needs literal ids).
const kpis = crm.tenant(benchTenant.id).system().kpis as unknown as {
  evaluate(ids: readonly string[], options: object): Promise<unknown>;
};
console.log('\nper KPI (ms): total, by owner, by product');
for (const id of ids) {
  const times: string[] = [];
  for (const by of [undefined, 'owner', 'product']) {
    const t = performance.now();
    try {
      await kpis.evaluate([id], { period: defaultPeriod, ...(by ? { by } : {}) });
      times.push((performance.now() - t).toFixed(1).padStart(8));
    } catch {
      times.push('       -');
    }
  }
  console.log(`${id.padEnd(40)} ${times.join(' ')}`);
}
await crm.destroy();
