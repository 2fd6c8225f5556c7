/**
 * Where a single create with rollup upkeep spends its time (`node --import tsx
 * bench/create-profile.ts [--deals 5000] [--creates 3000]`): an in-memory SQLite engine with the
 * bench's plugins, rollups on and off, alternating blocks of creates; prints p50 per side and
 * the statements one create runs with rollups on.
 */

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import Database from 'better-sqlite3';
import { median, now } from './bench-stats.js';
import { benchNow, benchTenant } from './dataset.js';
import { discoverPlugins } from './kpi-plugins.js';
import { watchStatements } from './statement-watch.js';

const { values } = parseArgs({
  options: {
    deals: { type: 'string', default: '5000' },
    creates: { type: 'string', default: '3000' },
  },
});
const { plugins } = await discoverPlugins();
let log: string[] | undefined;
async function engine(rollups: boolean) {
  const database = new Database(':memory:');
  watchStatements(database, (text, ms) => log?.push(`${ms.toFixed(3)} ms  ${text.slice(0, 160)}`));
  const crm = createCrm({
    storage: sqliteStorage({ database, readers: 0 }),
    plugins,
    now: () => benchNow,
    rollups,
  });
  await crm.migrate();
  await crm.createTenant(benchTenant);
  const scope = crm.tenant(benchTenant.id).system();
  const owner = await scope.users.create({ name: 'Ana' });
  const input = {
    name: 'deal',
    ownerId: owner.id,
    amount: 12_300_00,
    closeDate: '2026-05-03',
    stage: 'Prospecting',
    leadSource: 'Web',
  } as const;
  const many = Number(values.deals);
  for (let i = 0; i < many; i += 1000)
    await scope.opportunities.createMany(
      Array.from({ length: Math.min(1000, many - i) }, () => input),
    );
  return { crm, create: () => scope.opportunities.create(input) };
}
const on = await engine(true);
const off = await engine(false);
const times = { on: [] as number[], off: [] as number[] };
const total = Number(values.creates);
for (let block = 0; block < total / 100; block += 1) {
  for (const [name, side] of block % 2 === 0
    ? ([
        ['on', on],
        ['off', off],
      ] as const)
    : ([
        ['off', off],
        ['on', on],
      ] as const)) {
    for (let i = 0; i < 100; i += 1) {
      const start = now();
      await side.create();
      times[name].push(now() - start);
    }
  }
}
console.log(
  `load ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
console.log(
  `p50 on ${median(times.on).toFixed(3)} ms, off ${median(times.off).toFixed(3)} ms, on/off ${(median(times.on) / median(times.off)).toFixed(2)}`,
);
log = [];
await on.create();
console.log(`statements of one create with rollups:\n${log.join('\n')}`);
log = [];
await off.create();
console.log(`statements of one create without:\n${log.join('\n')}`);
log = undefined;
