import { createCrm } from '@rapport/core';
import { definePlugin } from '@rapport/core/plugin';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import { type NpsResponse, npsPlugin } from './nps-plugin.js';
import { npsTables } from './nps-tables.js';

const crm = createCrm({ storage: sqliteStorage(), plugins: [npsPlugin] });

describe('the plugin runtime is typed by inference', () => {
  test("crm.plugin(id) is what the plugin's init returned; an unknown id does not compile", () => {
    expectTypeOf(crm.plugin('acme-nps').responses).returns.resolves.toEqualTypeOf<NpsResponse[]>();
    // @ts-expect-error: no plugin with a runtime has this id
    crm.plugin('acme-crm');
  });

  test('hooks are typed from the object and the custom fields', () => {
    definePlugin({
      id: 'typed-hooks',
      fields: { lead: { score: z.number().optional() } },
      hooks: {
        lead: {
          beforeCreate: ({ data }) => {
            expectTypeOf(data.company).toEqualTypeOf<string>();
            expectTypeOf(data.custom?.score).toEqualTypeOf<number | undefined>();
            // @ts-expect-error: a lead has no amount
            data.amount;
            return { rating: 'Hot' };
          },
          afterUpdate: ({ record, previous }) => {
            expectTypeOf(record.status).toEqualTypeOf(previous.status);
            // @ts-expect-error: a lead has no stage
            record.stage;
          },
        },
        opportunity: {
          // @ts-expect-error: a before hook returns fields of the object, and amount is a number
          beforeUpdate: () => ({ amount: 'a lot' }),
        },
      },
    });
  });

  test("the plugin's tables type its kysely: a wrong table or column does not compile", () => {
    definePlugin({
      id: 'typed-tables',
      tables: npsTables,
      init: (ctx) => ({
        ok: () => ctx.tenantTables('t').selectFrom('npsResponses').select(['score', 'accountId']),
        // @ts-expect-error: no column scroe
        wrongColumn: () => ctx.db.selectFrom('npsResponses').select('scroe'),
        // @ts-expect-error: not a table of this plugin
        wrongTable: () => ctx.db.selectFrom('accounts'),
        wrongValue: () =>
          ctx.tenantTables('t').insertInto('npsResponses', {
            id: 'x',
            accountId: 'a',
            // @ts-expect-error: score is an integer column
            score: 'ten',
            answeredAt: '',
            answeredBy: '',
          }),
      }),
    });
  });
});
