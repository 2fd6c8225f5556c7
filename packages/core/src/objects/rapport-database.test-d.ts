import type { Kysely } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import type { ObjectColumns } from './object-definition.js';
import type { RapportDatabase } from './rapport-database.js';
import type { opportunityObject } from './standard-objects.js';

declare const db: Kysely<RapportDatabase>;

describe('RapportDatabase', () => {
  it('types the columns of core tables', async () => {
    const rows = await db
      .selectFrom('opportunities')
      .select(['id', 'amount', 'closeDate', 'status'])
      .execute();
    expectTypeOf(rows[0]?.amount).toEqualTypeOf<number | null | undefined>();
    expectTypeOf(rows[0]?.status).toEqualTypeOf<'open' | 'won' | 'lost' | null | undefined>();
    expectTypeOf(rows[0]?.closeDate).toEqualTypeOf<string | undefined>();
    const rates = await db.selectFrom('exchangeRates').select('rate').execute();
    expectTypeOf(rates[0]?.rate).toEqualTypeOf<number | undefined>();
  });

  it('does not compile a wrong column or table', () => {
    // @ts-expect-error: no column amuont on opportunities
    db.selectFrom('opportunities').select('amuont');
    // @ts-expect-error: no table opportunity (the table is opportunities)
    db.selectFrom('opportunity').selectAll();
    // @ts-expect-error: quantity is a number, not a string
    db.updateTable('opportunityLineItems').set({ quantity: 'two' });
  });

  it('needs a column kind for every field of an object', () => {
    type Columns = ObjectColumns<typeof opportunityObject.fields>;
    expectTypeOf<keyof Columns>().toEqualTypeOf<
      keyof import('zod').output<typeof opportunityObject.fields>
    >();
    // @ts-expect-error: a definition without the kind of `closeDate` does not compile
    const missing: Columns = { name: 'text' };
    expectTypeOf(missing).not.toBeNever();
  });
});
