import { createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { sqliteStorage } from '@rapport/sqlite';
import { type ActivityChannel, activityKpiPlugin } from './activity-kpi-plugin.js';

/**
 * A consumer of the plugin: a CRM with closing KPIs and Acme's revenue per activity, a few deals
 * and activities, and the KPI by channel for March, for phone calls only, and for an empty April.
 *
 * @example
 * const { byChannel } = await main();
 * byChannel.value; // 36_000: 360.00 EUR per activity
 */
export async function main(filename = ':memory:') {
  const crm = createCrm({
    storage: sqliteStorage({ filename }),
    plugins: [closingPlugin, activityKpiPlugin],
  });
  await crm.migrate();
  await crm.ensureTenant({ id: 'acme', name: 'Acme GmbH', baseCurrency: 'EUR' });
  const scope = crm.tenant('acme').system();
  const ana = await scope.users.create({ name: 'Ana', role: 'rep' });

  const deal = async (amount: number, closeDate: string, won = true) => {
    const opportunity = await scope.opportunities.create({
      name: `Deal ${closeDate}`,
      ownerId: ana.id,
      amount,
      closeDate,
    });
    if (won)
      await scope.opportunities.closeWon(opportunity.id, {
        version: opportunity.version,
        closeDate,
      });
    return opportunity.id;
  };
  // `custom` is typed by the plugin's zod schema: `{ channel?: 'onsite' | 'video' | 'phone' }`.
  const log = (opportunityId: string, channel?: ActivityChannel, done = true) =>
    scope.activities.create({
      type: channel === 'phone' ? 'call' : 'meeting',
      subject: channel ?? 'meeting',
      ownerId: ana.id,
      opportunityId,
      completedAt: done ? '2026-03-01T10:00:00.000Z' : null,
      custom: channel ? { channel } : {},
    });

  const globex = await deal(1_200_00, '2026-03-10');
  await log(globex, 'onsite');
  await log(globex, 'phone');
  await log(globex, 'phone');
  await log(globex, 'video', false); // planned, not done: not counted
  const initech = await deal(600_00, '2026-03-20');
  await log(initech, 'onsite');
  await log(initech); // no channel
  await deal(5_000_00, '2026-03-25'); // won without any activity: left out
  await log(await deal(900_00, '2026-03-30', false), 'phone'); // still open: not counted
  const umbrella = await deal(800_00, '2026-02-15');
  await log(umbrella, 'video');
  await log(umbrella, 'phone');

  const id = 'acme.revenuePerActivity';
  const [march, phoneOnly, april] = await Promise.all([
    scope.kpis.evaluate([id, 'closing.wonRevenue'], { period: '2026-03', by: 'custom.channel' }),
    scope.kpis.evaluate([id], { period: '2026-03', filters: { 'custom.channel': 'phone' } }),
    scope.kpis.evaluate([id], { period: '2026-04' }),
  ]);
  await crm.destroy();
  return {
    byChannel: march[id],
    wonRevenue: march['closing.wonRevenue'],
    phoneOnly: phoneOnly[id],
    april: april[id],
  };
}

if (process.argv[1]?.endsWith('main.ts')) console.dir(await main(), { depth: 4 });
