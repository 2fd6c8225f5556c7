import { type Actor, newId, type ObjectName, standardObjects } from '@rapport/core';
import type {
  CrmScope,
  HookContext,
  ObjectHooks,
  PluginHookExtras,
  RapportPlugin,
} from '@rapport/core/plugin';
import { type AuditAction, auditChanges } from './audit-changes.js';
import type { auditTables } from './audit-tables.js';
import { applyErasePlan, type PendingErasures, pendingKey } from './privacy/erase-plan.js';

/**
 * Where a write came from, stored with its entry: a fixed label (`api`, `cli`, `import`) or a
 * function of the write.
 *
 * @example
 * auditPlugin({ source: ({ actor }) => (actor.id === 'system' ? 'job' : 'api') });
 */
export type AuditSource =
  | string
  | ((write: {
      readonly tenantId: string;
      readonly actor: Actor;
      readonly object: string;
    }) => string);

type AuditHookArgs = HookContext<CrmScope> & PluginHookExtras<typeof auditTables>;
type AuditObjectHooks = ObjectHooks<CrmScope, object, object, PluginHookExtras<typeof auditTables>>;
type AuditHooks = NonNullable<RapportPlugin<'audit', readonly [], {}, typeof auditTables>['hooks']>;

/** @internal What the hooks share with the plugin's runtime. */
export interface AuditHookState {
  readonly source: AuditSource;
  readonly pending: PendingErasures;
  /** The engine's clock, set by `init(ctx)`. */
  now: () => Date;
}

/** @internal The label a write is stored with. */
export function sourceOf(
  source: AuditSource,
  write: { readonly tenantId: string; readonly actor: Actor; readonly object: string },
): string {
  return typeof source === 'string' ? source : source(write);
}

async function writeEntry(
  state: AuditHookState,
  args: AuditHookArgs,
  action: AuditAction,
  after: object | undefined,
  before: object | undefined,
): Promise<void> {
  const changes = auditChanges(after, before);
  if (action === 'update' && changes.length === 0) return;
  const record: { readonly id?: unknown } = after ?? before ?? {};
  const recordId = String(record.id);
  const at = state.now();
  await args.tables
    .insertInto('auditEntries', {
      id: newId(at.getTime()),
      object: args.object,
      recordId,
      action,
      actorId: args.actor.id,
      actorRole: args.actor.role,
      at: at.toISOString(),
      changes: JSON.stringify(changes),
      source: sourceOf(state.source, args),
    })
    .execute();
  // An erasure updates this record: rewrite what the trail holds of the person, in this transaction.
  const plan = state.pending.get(pendingKey(args.tenantId, args.object, recordId));
  if (plan) await applyErasePlan(args.tables, plan);
}

/**
 * @internal The audit hooks of every object: after each create, update and delete, an entry in
 * the write's transaction (so a rolled-back write leaves none).
 */
export function auditHooks(state: AuditHookState): AuditHooks {
  const hooks: AuditObjectHooks = {
    afterCreate: (args) => writeEntry(state, args, 'create', args.record, undefined),
    afterUpdate: (args) => writeEntry(state, args, 'update', args.record, args.previous),
    afterDelete: (args) => writeEntry(state, args, 'delete', undefined, args.record),
  };
  const byObject: Partial<Record<ObjectName, AuditObjectHooks>> = {};
  // Object.keys widens to string; these are the standard objects' names.
  for (const object of Object.keys(standardObjects) as ObjectName[]) byObject[object] = hooks;
  return byObject;
}
