/**
 * The lead KPIs over converted deals' outcomes (lead-to-won rate, revenue per lead) with rollups
 * against the same KPIs scanned, and what their upkeep costs a write: a conversion, and a close
 * of a deal with a converted lead against one without. Paired alternating rounds on a copy of a
 * benchmark database (the copy is written to); every figure of the two engines must be equal.
 * Usage: node --import tsx bench/lead-outcomes-profile.ts <file> [--reps 7] [--writes 40]
 */
import { copyFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import Database from 'better-sqlite3';
import { benchNow, benchTenant } from './dataset.js';
import { discoverPlugins } from './kpi-plugins.js';
import { defaultPeriod } from './rapport-dashboard.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { reps: { type: 'string', default: '7' }, writes: { type: 'string', default: '40' } },
});
const [source] = positionals;
if (!source) throw new Error('usage: lead-outcomes-profile.ts <file> [--reps 7] [--writes 40]');
const reps = Number(values.reps);
const writes = Number(values.writes);
const file = `${source}.lead-outcomes.sqlite`;
// The engine without rollups writes to a copy of its own: its writes are not kept (they would
// make the rollups of the first copy scan until a rebuild, and differ from a recompute).
const plainFile = `${source}.lead-outcomes-plain.sqlite`;
// A run that failed leaves its copies' write-ahead logs, which must not be applied to new copies.
for (const name of [file, plainFile])
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${name}${suffix}`, { force: true });
copyFileSync(source, file);
copyFileSync(source, plainFile);
const { plugins } = await discoverPlugins();
const database = new Database(file);
const engine = (rollups: boolean) =>
  createCrm({
    storage: sqliteStorage({ database, readers: 0 }),
    plugins,
    now: () => benchNow,
    rollups,
  });
const kept = engine(true);
const scanned = engine(false);
await kept.migrate();
const rebuildStart = performance.now();
const [rebuilt] = await kept.rebuildRollups({ tenantId: benchTenant.id });
console.log(
  `rebuilt ${rebuilt?.cells} cells in ${(performance.now() - rebuildStart).toFixed(0)} ms`,
);

type Evaluate = (ids: readonly string[], options: object) => Promise<unknown>;
// Erased: the ids are strings here (the typed evaluate needs literal ids).
const evaluatorOf = (crm: typeof kept): Evaluate => {
  const { kpis } = crm.tenant(benchTenant.id).system() as unknown as {
    kpis: { evaluate: Evaluate };
  };
  return (ids, options) => kpis.evaluate(ids, options);
};
const withRollups = evaluatorOf(kept);
const withoutRollups = evaluatorOf(scanned);
const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const timed = async <T>(run: () => Promise<T>) => {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, result };
};

const calls: { label: string; ids: string[]; by?: string }[] = [
  { label: 'lead-to-won rate', ids: ['leads.leadToWonRate'] },
  { label: 'lead-to-won rate by owner', ids: ['leads.leadToWonRate'], by: 'owner' },
  { label: 'revenue per lead by source', ids: ['leads.revenuePerLead'], by: 'leadSource' },
  {
    label: 'both, by campaign',
    ids: ['leads.leadToWonRate', 'leads.revenuePerLead'],
    by: 'campaign',
  },
  {
    label: 'all 7 lead KPIs',
    ids: [
      'leads.newLeads',
      'leads.costPerLead',
      'leads.leadToOpportunityRate',
      'leads.leadToWonRate',
      'leads.timeToFirstActivity',
      'leads.costPerWonCustomer',
      'leads.revenuePerLead',
    ],
  },
];
console.log(
  `\nKPI calls, period ${defaultPeriod}, median of ${reps} paired rounds (ms): rollups, scan, ratio`,
);
for (const call of calls) {
  const options = { period: defaultPeriod, ...(call.by ? { by: call.by } : {}) };
  const on: number[] = [];
  const off: number[] = [];
  for (let round = 0; round <= reps; round += 1) {
    // Alternating order; round 0 warms both up and is not counted.
    const pair = round % 2 ? [withoutRollups, withRollups] : [withRollups, withoutRollups];
    const results: { ms: number; result: unknown }[] = [];
    for (const evaluate of pair) results.push(await timed(() => evaluate(call.ids, options)));
    const [rolled, scan] = round % 2 ? [results[1], results[0]] : [results[0], results[1]];
    if (!rolled || !scan) throw new Error('no result');
    if (JSON.stringify(rolled.result) !== JSON.stringify(scan.result))
      throw new Error(`${call.label}: the figures with rollups differ from the scan`);
    if (round > 0) {
      on.push(rolled.ms);
      off.push(scan.ms);
    }
  }
  console.log(
    `${call.label.padEnd(30)} ${median(on).toFixed(1).padStart(8)} ${median(off).toFixed(1).padStart(8)}   x${(median(on) / median(off)).toFixed(2)}`,
  );
}

// Writes: each round converts a fresh lead (a new deal), then closes that deal won and reopens
// it (both move the converted lead's outcome), and closes and reopens a deal no lead was
// converted with, with and without rollups, alternating.
console.log(`\nwrites, median of ${writes} alternating rounds (ms): rollups on, off, ratio`);
const plainDatabase = new Database(plainFile);
const plain = createCrm({
  storage: sqliteStorage({ database: plainDatabase, readers: 0 }),
  plugins,
  now: () => benchNow,
});
await plain.migrate();
const scopes = {
  on: kept.tenant(benchTenant.id).system(),
  off: plain.tenant(benchTenant.id).system(),
};
const owner = (await scopes.on.users.list({ limit: 1 })).items[0]?.id;
if (!owner) throw new Error('no user');
const times: Record<string, { on: number[]; off: number[] }> = {};
const record = (name: string, side: 'on' | 'off', ms: number) => {
  times[name] ??= { on: [], off: [] };
  times[name][side].push(ms);
};
for (let round = 0; round < writes; round += 1) {
  const sides: ('on' | 'off')[] = round % 2 ? ['off', 'on'] : ['on', 'off'];
  for (const side of sides) {
    const scope = scopes[side];
    const lead = await scope.leads.create({
      lastName: 'Bench',
      company: 'Bench Ltd',
      ownerId: owner,
    });
    const converted = await timed(() =>
      scope.leads.convert(lead.id, { opportunity: { closeDate: '2026-12-31', amount: 1_000_00 } }),
    );
    record('convert a lead (new deal)', side, converted.ms);
    const deal = converted.result.opportunity;
    if (!deal) throw new Error('no deal');
    const won = await timed(() => scope.opportunities.closeWon(deal.id, { version: deal.version }));
    record('close won, 1 converted lead', side, won.ms);
    const reopened = await timed(() =>
      scope.opportunities.update(deal.id, { version: won.result.version, stage: 'Prospecting' }),
    );
    record('reopen, 1 converted lead', side, reopened.ms);
    const other = await scope.opportunities.create({
      name: 'Bench',
      ownerId: owner,
      amount: 1_000_00,
      closeDate: '2026-12-31',
    });
    const plainWon = await timed(() =>
      scope.opportunities.closeWon(other.id, { version: other.version }),
    );
    record('close won, no converted lead', side, plainWon.ms);
  }
}
for (const [name, { on, off }] of Object.entries(times)) {
  console.log(
    `${name.padEnd(30)} ${median(on).toFixed(2).padStart(8)} ${median(off).toFixed(2).padStart(8)}   x${(median(on) / median(off)).toFixed(2)}`,
  );
}
const [check] = await kept.checkRollups({ tenantId: benchTenant.id });
console.log(
  `\nafter the writes: ${check?.differences.length ?? 'no'} rollup rows differ from a recompute`,
);
await kept.destroy();
await plain.destroy();
database.close();
plainDatabase.close();
for (const name of [file, plainFile])
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${name}${suffix}`, { force: true });
