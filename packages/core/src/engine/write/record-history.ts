import { RapportError, type RapportIssue } from '../../errors/rapport-error.js';
import { plainText, timestampSchema } from '../../objects/field-schemas.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { nowOf, type ScopeState } from '../engine-state.js';
import { requireAdmin } from '../visibility.js';

/**
 * Options of `createMany` and `upsertMany`.
 *
 * @example
 * await scope.leads.upsertMany([{ externalId: 'L-1', lastName: 'Ng', company: 'Acme', createdAt: '2018-03-01T09:00:00Z' }], { history: true });
 */
export interface WriteManyOptions {
  /**
   * A history import (admins only, else FORBIDDEN): each input may carry its own `createdAt`
   * (a timestamp, not in the future) and `createdBy` (the user or system that created it in the
   * source), and the record is written as of that instant (defaults such as an opportunity's
   * open date and its first stage history entry follow it).
   */
  readonly history?: boolean;
}

/**
 * The creation an input of a history import states for its record.
 *
 * @example
 * const dated: RecordHistory = { createdAt: '2018-03-01T09:00:00Z', createdBy: 'sf-005000000000001' };
 */
export interface RecordHistory {
  /** When the record was created in the source system (ISO 8601 with offset). */
  readonly createdAt?: string;
  /** Who created it in the source system (a user id or external id, or a system name). */
  readonly createdBy?: string;
}

/** @internal The creation date and author an input gives, taken out of it. */
export interface TakenHistory {
  readonly input: unknown;
  readonly createdAt: string | undefined;
  readonly createdBy: string | undefined;
}

const createdBySchema = plainText.min(1).max(255);

/**
 * @internal Takes `createdAt` and `createdBy` out of the inputs of a history import (validated:
 * a timestamp not after the engine's now, a text id); VALIDATION with every bad input's issues.
 * Without `history` the inputs pass through untouched (the strict schema then refuses the keys).
 */
export function takeHistory(
  state: ScopeState,
  definition: AnyObjectDefinition,
  inputs: readonly unknown[],
  indexes: readonly number[],
  options: WriteManyOptions | undefined,
): TakenHistory[] {
  if (!options?.history) {
    return inputs.map((input) => ({ input, createdAt: undefined, createdBy: undefined }));
  }
  requireAdmin(state, `import the history of ${definition.name} records`);
  const now = nowOf(state).getTime();
  const issues: RapportIssue[] = [];
  const taken = inputs.map((input, position): TakenHistory => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { input, createdAt: undefined, createdBy: undefined };
    }
    // Checked just above to be a plain object; its fields are validated by the create schema.
    const { createdAt, createdBy, ...rest } = input as Record<string, unknown>;
    const index = indexes[position] ?? position;
    let at: string | undefined;
    if (createdAt !== undefined) {
      const parsed = timestampSchema.safeParse(createdAt);
      if (!parsed.success) {
        issues.push({
          path: [index, 'createdAt'],
          code: 'invalid_format',
          message: 'is not a timestamp (ISO 8601 with an offset)',
        });
      } else if (new Date(parsed.data).getTime() > now) {
        issues.push({ path: [index, 'createdAt'], code: 'future', message: 'is in the future' });
      } else {
        at = parsed.data;
      }
    }
    let by: string | undefined;
    if (createdBy !== undefined) {
      const parsed = createdBySchema.safeParse(createdBy);
      if (parsed.success) by = parsed.data;
      else {
        issues.push({
          path: [index, 'createdBy'],
          code: 'invalid_type',
          message: 'is not an id (text of 1 to 255 characters)',
        });
      }
    }
    return { input: rest, createdAt: at, createdBy: by };
  });
  if (issues.length > 0) {
    const shown = issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new RapportError('VALIDATION', `${definition.name}: ${shown.join('; ')}`, {
      object: definition.name,
      issues,
    });
  }
  return taken;
}

/**
 * @internal The scope state as of an instant: what the engine derives from "now" while writing a
 * record (its open date, its first stage history entry, ids) follows the record's own creation.
 */
export function stateAt(state: ScopeState, instant: string | undefined): ScopeState {
  if (instant === undefined) return state;
  const at = new Date(instant);
  return { ...state, now: () => new Date(at) };
}
