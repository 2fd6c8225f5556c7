import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expectTypeOf, test } from 'vitest';
import { crmOptionsFromConfig } from './crm-options.js';
import { defineConfig } from './define-config.js';

const config = defineConfig({
  fields: {
    account: {
      contract: { type: 'enum', values: ['Month-to-month', 'One year', 'Two year'] },
      seats: { type: 'integer' },
    },
  },
});

describe('a config gives createCrm typed custom fields', () => {
  test('enum values and numbers are inferred', () => {
    const crm = createCrm({
      storage: sqliteStorage({ filename: ':memory:' }),
      ...crmOptionsFromConfig(config),
    });
    type Account = Awaited<
      ReturnType<ReturnType<ReturnType<typeof crm.tenant>['system']>['accounts']['get']>
    >;
    expectTypeOf<Account['custom']['contract']>().toEqualTypeOf<
      'Month-to-month' | 'One year' | 'Two year' | null | undefined
    >();
    expectTypeOf<Account['custom']['seats']>().toEqualTypeOf<number | null | undefined>();
  });
});
