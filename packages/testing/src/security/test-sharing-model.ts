/**
 * @internal The sharing rule of the security model (issue 13), written from the documented rule
 * and not from the engine's code: who reads and who changes a record of an object, given the
 * tenant's org-wide defaults, team sharing, the roles and the `managerId` chain.
 */
import type { Actor, SharingLevel, TeamSharing } from '@rapport/core';

/** The objects the model covers: owned records with references to accounts. */
export type ModelObject = 'account' | 'opportunity' | 'contact';

/** A user in the model. */
export interface ModelUser {
  readonly id: string;
  readonly role: Actor['role'];
  readonly managerId: string | null;
  readonly teamId: string | null;
}

/** A tenant's sharing settings as the model knows them. */
export interface ModelSharing {
  defaults: Record<ModelObject, SharingLevel>;
  teams: TeamSharing;
}

/** A tenant in the model. */
export interface ModelTenant {
  readonly id: string;
  readonly users: readonly ModelUser[];
  readonly sharing: ModelSharing;
}

/** Reading (get, list, count, KPI) or changing (create, update, delete). */
export type ModelMode = 'read' | 'write';

/**
 * Whether `actorId` may read (or change) records of `object` owned by `ownerId` in the tenant:
 * - nobody reaches another tenant's users, and admins reach everything in theirs;
 * - the readonly role changes nothing;
 * - `publicReadWrite` opens the object to everyone, `publicRead` for reading;
 * - the owner; a teammate (same `teamId`) when team sharing is `read` (reading) or `readWrite`;
 * - managers and readonly users: everyone below them in the `managerId` chain; reps: nobody else.
 */
export function modelAccess(
  tenant: ModelTenant | undefined,
  actorId: string,
  object: ModelObject,
  ownerId: string,
  mode: ModelMode,
): boolean {
  const users = tenant?.users ?? [];
  const actor = users.find((u) => u.id === actorId);
  const owner = users.find((u) => u.id === ownerId);
  if (!tenant || !actor || !owner) return false;
  if (actor.role === 'admin') return true;
  if (mode === 'write' && actor.role === 'readonly') return false;
  const level = tenant.sharing.defaults[object];
  if (level === 'publicReadWrite' || (mode === 'read' && level === 'publicRead')) return true;
  if (actorId === ownerId) return true;
  const { teams } = tenant.sharing;
  const teamShares = mode === 'read' ? teams !== 'off' : teams === 'readWrite';
  if (teamShares && actor.teamId !== null && owner.teamId === actor.teamId) return true;
  if (actor.role === 'rep') return false;
  const seen = new Set<string>();
  for (let user: ModelUser | undefined = owner; user?.managerId; ) {
    if (user.managerId === actorId) return true;
    if (seen.has(user.managerId)) return false;
    seen.add(user.managerId);
    const managerId: string = user.managerId;
    user = users.find((u) => u.id === managerId);
  }
  return false;
}

/** The settings a tenant starts with: everything private, team sharing off. */
export function initialSharing(): ModelSharing {
  return {
    defaults: { account: 'private', opportunity: 'private', contact: 'private' },
    teams: 'off',
  };
}
