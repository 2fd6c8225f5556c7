import { coreDbOf, type ObjectRules, type ScopeState } from '../engine/engine-state.js';
import { findVisible } from '../engine/read/find-record.js';
import type { StoredRecord } from '../engine/stored-record.js';
import { applyUpdate } from '../engine/write/update-record.js';
import { validationError } from '../errors/rapport-error.js';
import { opportunityObject, productObject } from '../objects/standard-objects.js';

async function opportunityOf(state: ScopeState, opportunityId: string): Promise<StoredRecord> {
  const opportunity = await findVisible(state, opportunityObject, opportunityId);
  if (!opportunity) {
    throw validationError(
      'lineItem',
      ['opportunityId'],
      'references no opportunity you can see',
      'unknown_reference',
    );
  }
  return opportunity;
}

/** @internal Sets the opportunity amount to the sum of its line items (one history row if it changed). */
async function syncAmount(state: ScopeState, opportunityId: string): Promise<void> {
  const opportunity = await opportunityOf(state, opportunityId);
  const row = await coreDbOf(state)
    .selectFrom('opportunityLineItems')
    .select((eb) => [eb.fn.countAll().as('count'), eb.fn.sum('totalPrice').as('total')])
    .where('tenantId', '=', state.tenantId)
    .where('opportunityId', '=', opportunityId)
    .executeTakeFirstOrThrow();
  const amount = Number(row.count) === 0 ? opportunity.amount : Number(row.total);
  if (amount !== opportunity.amount)
    await applyUpdate(state, opportunityObject, opportunity, { amount });
}

/** @internal Line item rules: price from the product, total, and the opportunity amount as their sum. */
export const lineItemRules: ObjectRules = {
  async prepare(state, values, previous) {
    if (previous && values.opportunityId !== previous.opportunityId) {
      throw validationError(
        'lineItem',
        ['opportunityId'],
        'cannot change; delete the line item and add a new one',
        'immutable',
      );
    }
    const opportunity = await opportunityOf(state, String(values.opportunityId));
    const next: Record<string, unknown> = { ...values, currency: opportunity.currency };
    if (next.unitPrice === undefined) {
      const product = await findVisible(state, productObject, String(values.productId));
      if (!product)
        throw validationError(
          'lineItem',
          ['productId'],
          `references no product ${String(values.productId)} in this tenant`,
          'unknown_reference',
        );
      if (product.currency !== opportunity.currency) {
        throw validationError(
          'lineItem',
          ['unitPrice'],
          `is required: the product is priced in ${String(product.currency)}, the opportunity in ${String(opportunity.currency)}`,
          'required',
        );
      }
      next.unitPrice = product.listPrice;
    }
    const discount = Number(next.discount ?? 0);
    next.totalPrice = Math.round(
      Number(next.quantity) * Number(next.unitPrice) * (1 - discount / 100),
    );
    return next;
  },
  async afterWrite(state, record) {
    await syncAmount(state, String(record.opportunityId));
  },
  async afterDelete(state, record) {
    await syncAmount(state, String(record.opportunityId));
  },
};
