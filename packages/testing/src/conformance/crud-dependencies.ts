import type { AnyScope } from './conformance-context.js';

/** @internal What the CRUD groups' records point to: an owner, an account, a product, a deal. */
export type Deps = Awaited<ReturnType<typeof seedDeps>>;

/** @internal Creates the records other records of the CRUD groups point to. */
export async function seedDeps(admin: AnyScope) {
  const owner = await admin.users.create({ name: 'Olga Owner', role: 'rep' });
  const account = await admin.accounts.create({ name: 'Dependency Account', ownerId: owner.id });
  const product = await admin.products.create({ name: 'Dependency Product', listPrice: 2_500 });
  const opportunity = await admin.opportunities.create({
    name: 'Dependency Deal',
    ownerId: owner.id,
    accountId: account.id,
    closeDate: '2026-12-31',
  });
  return { owner, account, product, opportunity };
}
