import type { userRoles } from '../objects/standard-objects.js';

/** A user role; it decides what an actor sees. */
export type ActorRole = (typeof userRoles)[number];

/**
 * Who is acting. The host application authenticates and says who; Rapport trusts it and applies
 * visibility: `rep` sees records it owns, `manager` also those of its reports (transitively, by
 * `managerId`), `admin` everything in the tenant, `readonly` reads as a manager does and writes
 * nothing (FORBIDDEN before anything is written). The tenant's sharing settings widen what
 * reps and managers see and change (org-wide defaults per object, team sharing by `teamId`).
 *
 * @example
 * const scope = crm.tenant('acme').as({ id: userId, role: 'rep' });
 */
export interface Actor {
  /** The user id (or a service name such as `import` for admins that are not users). */
  readonly id: string;
  /** The role. */
  readonly role: ActorRole;
}

/**
 * The actor Rapport uses for its own jobs (migrations, demo, imports from the CLI).
 *
 * @example
 * crm.tenant('acme').as(systemActor);
 */
export const systemActor: Actor = { id: 'system', role: 'admin' };
