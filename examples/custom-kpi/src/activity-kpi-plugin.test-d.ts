import { createCrm, type KpiIdOf, type KpiResult } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expectTypeOf, test } from 'vitest';
import { activityKpiPlugin } from './activity-kpi-plugin.js';

const crm = createCrm({ storage: sqliteStorage(), plugins: [closingPlugin, activityKpiPlugin] });
const scope = crm.tenant('acme').system();

describe('a third-party plugin is typed by inference, without casts', () => {
  test("its KPI id joins the closing plugin's ids", () => {
    type Ids = KpiIdOf<[typeof closingPlugin, typeof activityKpiPlugin]>;
    expectTypeOf<'acme.revenuePerActivity'>().toExtend<Ids>();
    expectTypeOf<'closing.winRate'>().toExtend<Ids>();
    expectTypeOf<KpiIdOf<[typeof activityKpiPlugin]>>().toEqualTypeOf<'acme.revenuePerActivity'>();
  });

  test('evaluate accepts the id and returns its result', async () => {
    const results = await scope.kpis.evaluate(['acme.revenuePerActivity', 'closing.winRate'], {
      period: '2026-03',
      by: 'custom.channel',
      filters: { owner: 'user-id' },
    });
    expectTypeOf(results['acme.revenuePerActivity']).toEqualTypeOf<
      KpiResult<'acme.revenuePerActivity', never>
    >();
    expectTypeOf(results['acme.revenuePerActivity'].value).toEqualTypeOf<number | null>();
  });

  test('an unknown id or an unsupported dimension does not compile', () => {
    // @ts-expect-error: no plugin defines acme.revenuePerCall
    scope.kpis.evaluate(['acme.revenuePerActivity', 'acme.revenuePerCall']);
    // @ts-expect-error: revenue per activity is by owner or custom field only
    scope.kpis.evaluate(['acme.revenuePerActivity'], { by: 'product' });
  });

  test('the custom field is typed on activities', async () => {
    type ActivityInput = Parameters<typeof scope.activities.create>[0];
    expectTypeOf<ActivityInput['custom']>().toEqualTypeOf<
      { channel?: 'onsite' | 'video' | 'phone' | undefined } | undefined
    >();
    scope.activities.create({ type: 'call', subject: 'Intro', custom: { channel: 'phone' } });
    // @ts-expect-error: not a channel
    scope.activities.create({ type: 'call', subject: 'Intro', custom: { channel: 'fax' } });
    // @ts-expect-error: the field is a string, not a number
    scope.activities.create({ type: 'call', subject: 'Intro', custom: { channel: 1 } });
    const activity = await scope.activities.get('id');
    expectTypeOf(activity.custom.channel).toEqualTypeOf<'onsite' | 'video' | 'phone' | undefined>();
  });

  test('other objects do not get the field', () => {
    scope.opportunities.create({
      name: 'x',
      closeDate: '2026-03-01',
      // @ts-expect-error: channel is a custom field of activities only
      custom: { channel: 'phone' },
    });
  });
});
