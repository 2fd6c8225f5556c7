import { RapportError } from '../errors/rapport-error.js';
import type { ScopeState } from './engine-state.js';

/** @internal Throws FORBIDDEN unless the actor is an admin. */
export function requireAdmin(state: ScopeState, what: string): void {
  if (state.actor.role !== 'admin') {
    throw new RapportError('FORBIDDEN', `only admins may ${what}`);
  }
}

/**
 * @internal Throws FORBIDDEN for the `readonly` role, which writes nothing: every write path asks
 * first, before any hook, rule or statement runs.
 */
export function requireWriter(state: ScopeState, what: string): void {
  if (state.actor.role === 'readonly') {
    throw new RapportError('FORBIDDEN', `the readonly role may not ${what}`);
  }
}
