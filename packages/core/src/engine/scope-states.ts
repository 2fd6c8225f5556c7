import { RapportError } from '../errors/rapport-error.js';
import type { ScopeState } from './engine-state.js';

const scopeStates = new WeakMap<object, ScopeState>();

/** @internal Remembers the state behind a public scope object, for {@link scopeStateOf}. */
export function registerScopeState(scope: object, state: ScopeState): void {
  scopeStates.set(scope, state);
}

/**
 * @internal The state behind a scope this engine made (plugins reach their tables in the scope's
 * transaction through it); UNSUPPORTED for any other object.
 */
export function scopeStateOf(scope: unknown): ScopeState {
  const state = typeof scope === 'object' && scope !== null ? scopeStates.get(scope) : undefined;
  if (!state) throw new RapportError('UNSUPPORTED', 'not a scope made by createCrm');
  return state;
}
