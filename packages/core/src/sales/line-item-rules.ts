import { coreDbOf, type ObjectRules, type ScopeState } from '../engine/engine-state.js';
import { findVisible } from '../engine/read/find-record.js';
import type { StoredRecord } from '../engine/stored-record.js';
import { applyUpdate } from '../engine/write/update-record.js';
import { type RapportError, validationError } from '../errors/rapport-error.js';
import { opportunityObject, productObject } from '../objects/standard-objects.js';
import { keepMainProduct, lockedOpportunity } from './kept-values.js';

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

/** VALIDATION for a total of money past a safe integer: the sum of the opportunity's items. */
function unsafeAmount(sum: number): RapportError {
  return validationError(
    'lineItem',
    ['totalPrice'],
    `would make the opportunity amount (the sum of its line items) ${sum}, past the largest amount (${Number.MAX_SAFE_INTEGER} minor units)`,
    'unsafe_money',
  );
}

/**
 * VALIDATION, before the write, when the opportunity amount (the sum of its line items) would
 * pass a safe integer with this total. The stored amount bounds the other items' sum (it is
 * their sum, or a given amount while there are none), so the sum is only read near the limit.
 */
async function checkAmountStaysSafe(
  state: ScopeState,
  opportunity: StoredRecord,
  totalPrice: number,
  previous: StoredRecord | undefined,
): Promise<void> {
  if (Number(opportunity.amount ?? 0) + totalPrice <= Number.MAX_SAFE_INTEGER) return;
  let query = coreDbOf(state)
    .selectFrom('opportunityLineItems')
    .select((eb) => eb.fn.sum('totalPrice').as('total'))
    .where('tenantId', '=', state.tenantId)
    .where('opportunityId', '=', opportunity.id);
  if (previous) query = query.where('id', '!=', previous.id);
  const row = await query.executeTakeFirstOrThrow();
  const sum = Number(row.total ?? 0) + totalPrice;
  if (!Number.isSafeInteger(sum)) throw unsafeAmount(sum);
}

/**
 * @internal Sets the opportunity amount to the sum of its line items (one history row if it
 * changed) and keeps its main product.
 */
async function syncAmount(state: ScopeState, opportunityId: string): Promise<void> {
  // The viewer's check first; then the deal as stored now, locked, before its items are summed:
  // a concurrent writer of its items (Postgres, READ COMMITTED) commits before this reads the
  // sum, so its item is in it and the version read is the one it left. Summed first, the other's
  // item was missed and the amount's update found a newer version (CONFLICT for a write that
  // asked for nothing stale).
  const visible = await opportunityOf(state, opportunityId);
  const locked = await lockedOpportunity(state, opportunityId);
  const opportunity = locked ?? visible;
  // The cached row is older than the stored one: the next read of this transaction goes to storage.
  if (opportunity.version !== visible.version)
    state.tx?.cache?.forgetRecord('opportunities', opportunityId);
  const row = await coreDbOf(state)
    .selectFrom('opportunityLineItems')
    .select((eb) => [eb.fn.countAll().as('count'), eb.fn.sum('totalPrice').as('total')])
    .where('tenantId', '=', state.tenantId)
    .where('opportunityId', '=', opportunityId)
    .executeTakeFirstOrThrow();
  const amount = Number(row.count) === 0 ? opportunity.amount : Number(row.total);
  // Items prepared together (createMany) are each checked alone: their sum is checked here,
  // inside the write's transaction, so an unsafe sum still writes nothing.
  if (typeof amount === 'number' && !Number.isSafeInteger(amount)) throw unsafeAmount(amount);
  // The deal as stored now, still under the lock taken above: the main product is kept from it
  // without a second locked read.
  const current =
    amount !== opportunity.amount
      ? await applyUpdate(state, opportunityObject, opportunity, { amount })
      : opportunity;
  if (locked) await keepMainProduct(state, current);
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
    const totalPrice = Math.round(
      Number(next.quantity) * Number(next.unitPrice) * (1 - discount / 100),
    );
    if (!Number.isSafeInteger(totalPrice)) {
      throw validationError(
        'lineItem',
        ['totalPrice'],
        `quantity x unitPrice less discount is ${totalPrice}, past the largest amount (${Number.MAX_SAFE_INTEGER} minor units)`,
        'unsafe_money',
      );
    }
    next.totalPrice = totalPrice;
    await checkAmountStaysSafe(state, opportunity, totalPrice, previous);
    return next;
  },
  async afterWrite(state, record) {
    await syncAmount(state, String(record.opportunityId));
  },
  async afterDelete(state, record) {
    await syncAmount(state, String(record.opportunityId));
  },
};
