import type { Actor } from '@rapport/core';

/**
 * Who a request acts as: the tenant it reads and writes, and the actor whose rights apply.
 *
 * @example
 * const principal: Principal = { tenantId: 'acme', actor: { id: 'u1', role: 'rep' } };
 */
export interface Principal {
  /** The tenant. */
  readonly tenantId: string;
  /** The actor; its role decides what it sees and may change. */
  readonly actor: Actor;
}

/**
 * Maps a request to a principal, or `null` when it carries no valid credentials (the API then
 * answers 401). There is no anonymous mode: every route runs through it.
 *
 * @example
 * const authenticate: Authenticate = async (request) =>
 *   request.headers.get('x-demo') === 'yes' ? { tenantId: 'demo', actor: { id: 'system', role: 'admin' } } : null;
 */
export type Authenticate = (request: Request) => Principal | null | Promise<Principal | null>;
