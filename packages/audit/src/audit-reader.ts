import { type Actor, type ObjectName, repositoryKeys, standardObjects } from '@rapport/core';
import { type CrmScope, type PluginContext, RapportError } from '@rapport/core/plugin';
import { z } from 'zod';
import { type AuditEntry, entryOf } from './audit-entry.js';
import type { auditTables } from './audit-tables.js';

/** @internal The audit plugin's context. */
export type AuditContext = PluginContext<typeof auditTables, CrmScope>;

/**
 * Who reads: a scope (its tenant and actor), or a tenant id and an actor.
 *
 * @example
 * const access: AuditAccess = { tenantId: 'acme', actor: { id: userId, role: 'rep' } };
 */
export type AuditAccess = CrmScope | { readonly tenantId: string; readonly actor: Actor };

// Cast: Object.keys loses the key type; these are exactly the standard objects' names.
const objectNames = Object.keys(standardObjects) as [ObjectName, ...ObjectName[]];
const timestamp = z.iso.datetime({ offset: true });

/** The filters of an audit read. */
export const auditQuerySchema = z.strictObject({
  /** Only entries about this object. */
  object: z.enum(objectNames).optional(),
  /** Only entries about this record. */
  recordId: z.string().min(1).optional(),
  /** Only entries written by this actor. */
  actorId: z.string().min(1).optional(),
  /** Only this action. */
  action: z.enum(['create', 'update', 'delete', 'erase']).optional(),
  /** Entries at or after this time (ISO-8601). */
  from: timestamp.optional(),
  /** Entries at or before this time (ISO-8601). */
  to: timestamp.optional(),
  /** Page size, 1 to 1000; default 50. */
  limit: z.number().int().min(1).max(1000).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().min(1).optional(),
});

/**
 * The filters of `crm.plugin('audit').list`.
 *
 * @example
 * const query: AuditQuery = { object: 'lead', recordId: lead.id, limit: 20 };
 */
export type AuditQuery = z.input<typeof auditQuerySchema>;

/** One page of audit entries, newest first. */
export interface AuditPage {
  /** The entries of this page. */
  readonly items: AuditEntry[];
  /** Pass to the next `list` call; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** @internal The scope an access stands for. */
export function scopeOf(ctx: AuditContext, access: AuditAccess): CrmScope {
  return 'leads' in access ? access : ctx.tenant(access.tenantId).as(access.actor);
}

function encodeCursor(entry: { readonly at: string; readonly id: string }): string {
  return Buffer.from(JSON.stringify([entry.at, entry.id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new RapportError('VALIDATION', 'audit: invalid cursor', {
    object: 'audit',
    issues: [{ path: ['cursor'], message: 'is not a cursor this list returned', code: 'invalid' }],
  });
}

/**
 * @internal Whether the scope's actor may see the entries of a record: admins see every entry;
 * anyone else those of records the scope can read now (so a deleted record's entries are for
 * admins only). Answers are kept per read in `seen`.
 */
export async function canSeeRecord(
  scope: CrmScope,
  object: string,
  recordId: string,
  seen: Map<string, boolean>,
): Promise<boolean> {
  if (scope.actor.role === 'admin') return true;
  if (!(object in repositoryKeys)) return false;
  const key = `${object}\u0000${recordId}`;
  const known = seen.get(key);
  if (known !== undefined) return known;
  const reader: { find(id: string): Promise<unknown> } =
    // Cast: the entry's object was written from an ObjectName and is read back as text.
    scope[repositoryKeys[object as ObjectName]];
  const visible = (await reader.find(recordId)) !== undefined;
  seen.set(key, visible);
  return visible;
}

/** @internal A page of the entries the access may see, newest first. */
export async function listAuditEntries(
  ctx: AuditContext,
  access: AuditAccess,
  query: AuditQuery = {},
): Promise<AuditPage> {
  const parsed = auditQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new RapportError('VALIDATION', 'audit: invalid query', {
      object: 'audit',
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
        message: issue.message,
        code: issue.code,
      })),
    });
  }
  const { limit, cursor, ...filters } = parsed.data;
  const scope = scopeOf(ctx, access);
  let after = cursor ? decodeCursor(cursor) : undefined;
  const seen = new Map<string, boolean>();
  const items: AuditEntry[] = [];
  // Non-admins may not see every row: read batches until the page (and one more) is full.
  const batch = scope.actor.role === 'admin' ? limit + 1 : Math.max(2 * limit, 100);
  for (;;) {
    let select = ctx.tenantTables(scope.tenantId).selectFrom('auditEntries').selectAll();
    if (filters.object) select = select.where('object', '=', filters.object);
    if (filters.recordId) select = select.where('recordId', '=', filters.recordId);
    if (filters.actorId) select = select.where('actorId', '=', filters.actorId);
    if (filters.action) select = select.where('action', '=', filters.action);
    if (filters.from) select = select.where('at', '>=', new Date(filters.from).toISOString());
    if (filters.to) select = select.where('at', '<=', new Date(filters.to).toISOString());
    const position = after;
    if (position) {
      select = select.where((eb) =>
        eb.or([
          eb('at', '<', position.at),
          eb.and([eb('at', '=', position.at), eb('id', '<', position.id)]),
        ]),
      );
    }
    const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(batch).execute();
    for (const row of rows) {
      if (await canSeeRecord(scope, row.object, row.recordId, seen)) items.push(entryOf(row));
      if (items.length > limit) break;
    }
    const last = rows.at(-1);
    if (items.length > limit || rows.length < batch || !last) break;
    after = { at: last.at, id: last.id };
  }
  const page = items.slice(0, limit);
  const lastOnPage = page.at(-1);
  return {
    items: page,
    nextCursor: items.length > limit && lastOnPage ? encodeCursor(lastOnPage) : null,
  };
}
