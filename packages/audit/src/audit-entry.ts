import type { AuditAction, AuditChange } from './audit-changes.js';

/**
 * One entry of the audit trail: who did what to which record, when, with the changed fields.
 *
 * @example
 * const { items } = await crm.plugin('audit').list(scope, { object: 'opportunity', recordId });
 * items[0]?.changes; // [{ field: 'stage', old: 'Prospecting', new: 'Closed Won' }, ...]
 */
export interface AuditEntry {
  /** The entry's id (UUID v7: entries sort by when they were written). */
  readonly id: string;
  /** The tenant. */
  readonly tenantId: string;
  /** The object name: `lead`, `opportunity`, ... */
  readonly object: string;
  /** The id of the record the write was about. */
  readonly recordId: string;
  /** What the write did. */
  readonly action: AuditAction;
  /** Who wrote: a user id, or `system` for engine jobs. */
  readonly actorId: string;
  /** The actor's role at the time of the write. */
  readonly actorRole: string;
  /** When, by the engine's clock (ISO-8601 UTC). */
  readonly at: string;
  /** The changed fields with their old and new values. */
  readonly changes: readonly AuditChange[];
  /** Where the write came from: `api` unless the plugin was configured otherwise. */
  readonly source: string;
}

/** @internal A stored row of `audit_entries`. */
export interface AuditRow {
  readonly tenantId: string;
  readonly id: string;
  readonly object: string;
  readonly recordId: string;
  readonly action: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly at: string;
  readonly changes: string;
  readonly source: string;
}

const actions: ReadonlySet<string> = new Set<AuditAction>(['create', 'update', 'delete', 'erase']);

/** @internal The entry a stored row holds. */
export function entryOf(row: AuditRow): AuditEntry {
  const changes: unknown = JSON.parse(row.changes);
  return {
    id: row.id,
    tenantId: row.tenantId,
    object: row.object,
    recordId: row.recordId,
    // Only this plugin writes the table, with one of these actions.
    action: (actions.has(row.action) ? row.action : 'update') as AuditAction,
    actorId: row.actorId,
    actorRole: row.actorRole,
    at: row.at,
    // Written by this plugin as JSON.stringify of an AuditChange list.
    changes: Array.isArray(changes) ? (changes as AuditChange[]) : [],
    source: row.source,
  };
}
