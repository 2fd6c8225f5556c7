/** What a write did: create, update or delete a record, or erase a person (GDPR Art. 17). */
export type AuditAction = 'create' | 'update' | 'delete' | 'erase';

/**
 * One changed field of one write: its name (custom fields as `custom.<name>`), the value before
 * (`null` on create) and after (`null` on delete).
 *
 * @example
 * const change: AuditChange = { field: 'stage', old: 'Prospecting', new: 'Negotiation' };
 */
export interface AuditChange {
  /** The field, `custom.<name>` for a custom field. */
  readonly field: string;
  /** The value before the write; `null` on create. */
  readonly old: unknown;
  /** The value after the write; `null` on delete. */
  readonly new: unknown;
}

// The engine sets these on every write; recording them would repeat the entry's own columns.
const bookkeeping: ReadonlySet<string> = new Set([
  'tenantId',
  'id',
  'version',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
]);

function flatten(record: object | undefined): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  if (!record) return fields;
  for (const [field, value] of Object.entries(record)) {
    if (bookkeeping.has(field) || value === undefined) continue;
    if (field === 'custom' && value !== null && typeof value === 'object') {
      for (const [name, inner] of Object.entries(value)) {
        if (inner !== undefined) fields.set(`custom.${name}`, inner);
      }
      continue;
    }
    fields.set(field, value);
  }
  return fields;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The fields a write changed: every field of a created or deleted record (a delete keeps the last
 * values, so the record can be told apart afterwards), and on update only the fields whose value
 * differs, custom fields included. Engine bookkeeping (version, timestamps) is left out.
 *
 * @example
 * auditChanges({ stage: 'Won', amount: 10 }, { stage: 'Open', amount: 10 }); // [{ field: 'stage', old: 'Open', new: 'Won' }]
 */
export function auditChanges(after: object | undefined, before: object | undefined): AuditChange[] {
  const next = flatten(after);
  const previous = flatten(before);
  const changes: AuditChange[] = [];
  for (const field of new Set([...previous.keys(), ...next.keys()])) {
    const old = previous.get(field) ?? null;
    const value = next.get(field) ?? null;
    if (before && after && sameValue(old, value)) continue;
    if (!before && value === null) continue;
    if (!after && old === null) continue;
    changes.push({ field, old, new: value });
  }
  return changes;
}
