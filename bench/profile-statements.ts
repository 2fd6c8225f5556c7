/**
 * Where a Rapport dashboard spends its time, per SQL statement (by the SQL's first words and
 * total time), to read beside a `node --cpu-prof` profile.
 * Usage: node --import tsx bench/profile-statements.ts <file> [kpi-prefix]
 */
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import Database from 'better-sqlite3';
import { breakdownKpiIds, handWrittenKpiIds } from './dashboard-figures.js';
import { benchNow } from './dataset.js';
import { discoverPlugins, kpiIds } from './kpi-plugins.js';
import { defaultPeriod, rapportDashboard } from './rapport-dashboard.js';
import { addInto, type StatementTimes, watchStatements } from './statement-watch.js';

const [file, prefix] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-statements.ts <file> [kpi-prefix]');
const { plugins } = await discoverPlugins();
const database = new Database(file, { readonly: true });
const totals: StatementTimes = new Map();
watchStatements(database, addInto(totals));
const crm = createCrm({
  storage: sqliteStorage({ database, readers: 0 }),
  plugins,
  now: () => benchNow,
});
const ids = prefix ? kpiIds(plugins).filter((id) => id.startsWith(prefix)) : [...handWrittenKpiIds];
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
  `dashboard ${total.toFixed(0)} ms in ${statements} statements, in SQLite ${sqlMs.toFixed(0)} ms, in JS ${(total - sqlMs).toFixed(0)} ms; breakdowns of ${breakdownKpiIds.join(', ')}`,
);
for (const [text, { ms, runs }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
  console.log(
    `${ms.toFixed(0).padStart(7)} ms ${String(runs).padStart(3)}x  ${text.replace(/\s+/g, ' ').slice(0, Number(process.env.SQL_CHARS ?? 400))}`,
  );
