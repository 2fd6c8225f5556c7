import { expectTypeOf, test } from 'vitest';
import type { GeneratedBatch, GeneratedOpportunity, GeneratedTables } from './generated-rows.js';

test('a batch narrows its rows by table', () => {
  const handle = (batch: GeneratedBatch) => {
    if (batch.table === 'opportunities') {
      expectTypeOf(batch.rows).toEqualTypeOf<GeneratedOpportunity[]>();
      expectTypeOf(batch.rows[0]!.status).toEqualTypeOf<'open' | 'won' | 'lost'>();
    }
  };
  expectTypeOf(handle).parameter(0).toHaveProperty('table').toEqualTypeOf<keyof GeneratedTables>();
});
