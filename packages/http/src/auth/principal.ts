import type { Actor } from '@rapport/core';
import type { ApiKeyScope } from './key-scopes.js';

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
  /**
   * What the credentials may do on top of the role: absent means everything the role allows.
   * A route outside them is 403 FORBIDDEN before it runs.
   */
  readonly scopes?: readonly ApiKeyScope[];
  /**
   * What rate limits count against: an API key's id. Absent, the limits count per tenant and
   * actor.
   */
  readonly credentialId?: string;
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
