import { type Actor, newId } from '@rapport/core';
import type { PluginDatabase, PluginTenantTables } from '@rapport/core/plugin';
import type { auditTables } from '../audit-tables.js';
import { likePatterns, type PersonTerms, redactJson } from './person-terms.js';

/**
 * A person the GDPR erasure names: a lead or a contact by id (a converted lead's contact and a
 * contact's converted leads are found from it).
 *
 * @example
 * await crm.plugin('audit').privacy.erase(adminScope, { contact: contactId });
 */
export type PersonRef = { readonly lead: string } | { readonly contact: string };

/** @internal An erasure in progress: what the hooks inside its transaction must rewrite. */
export interface ErasePlan {
  readonly ref: PersonRef;
  readonly actor: Actor;
  readonly terms: PersonTerms;
  /** Ids of the person's own records and activities: names alone are erased from their text. */
  readonly recordIds: ReadonlySet<string>;
  /** What the erase row says was erased: ids only, no personal data. */
  readonly summary: Readonly<Record<string, readonly string[]>>;
  readonly at: string;
  readonly source: string;
  logged: boolean;
  rewritten: Set<string>;
}

/** @internal Erasures in progress, by the tenant, object and id of each record they update. */
export type PendingErasures = Map<string, ErasePlan>;

/** @internal The key of a record in {@link PendingErasures}. */
export function pendingKey(tenantId: string, object: string, id: string): string {
  return `${tenantId}\u0000${object}\u0000${id}`;
}

/** @internal The object and id a person reference names. */
export function refTarget(ref: PersonRef): { object: 'lead' | 'contact'; id: string } {
  return 'lead' in ref ? { object: 'lead', id: ref.lead } : { object: 'contact', id: ref.contact };
}

type AuditTenantTables = PluginTenantTables<PluginDatabase<typeof auditTables>>;

/**
 * @internal Runs inside the erasure's transaction (from the audit hook of each record it
 * updates, so with the transaction's tables): rewrites the old and new values of every audit
 * entry that mentions the person, then writes the erase entry once. Each call also covers the
 * entries the erasure's earlier updates wrote, so after its last update none is left.
 */
export async function applyErasePlan(tables: AuditTenantTables, plan: ErasePlan): Promise<void> {
  const candidates = await tables
    .selectFrom('auditEntries')
    .select(['id', 'recordId', 'changes'])
    .where((eb) =>
      eb.or(likePatterns(plan.terms).map((like) => eb(eb.fn('lower', ['changes']), 'like', like))),
    )
    .execute();
  for (const row of candidates) {
    const redacted = JSON.stringify(
      redactJson(JSON.parse(row.changes), plan.terms, plan.recordIds.has(row.recordId)),
    );
    if (redacted === row.changes) continue;
    await tables
      .updateTable('auditEntries')
      .set({ changes: redacted })
      .where('id', '=', row.id)
      .execute();
    plan.rewritten.add(row.id);
  }
  if (plan.logged) return;
  await tables.insertInto('auditEntries', eraseEntry(plan)).execute();
  plan.logged = true;
}

/** @internal The erase entry: who erased whom (by id) and when; no personal data. */
export function eraseEntry(plan: ErasePlan) {
  const target = refTarget(plan.ref);
  return {
    id: newId(new Date(plan.at).getTime()),
    object: target.object,
    recordId: target.id,
    action: 'erase',
    actorId: plan.actor.id,
    actorRole: plan.actor.role,
    at: plan.at,
    changes: JSON.stringify([{ field: 'erased', old: null, new: plan.summary }]),
    source: plan.source,
  };
}
