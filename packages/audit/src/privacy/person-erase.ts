import { type CrmScope, RapportError, sql } from '@rapport/core/plugin';
import type { AuditContext } from '../audit-reader.js';
import {
  type ErasePlan,
  eraseEntry,
  type PendingErasures,
  type PersonRef,
  pendingKey,
} from './erase-plan.js';
import { findHeldPerson } from './held-person.js';
import { erasedPlaceholder, personTerms, redactText } from './person-terms.js';

/**
 * What an erasure did, by id (it names no personal data).
 *
 * @example
 * const report = await crm.plugin('audit').privacy.erase(adminScope, { lead: leadId });
 * report.auditEntries; // how many audit entries had the person's values rewritten
 */
export interface ErasureReport {
  /** The leads anonymised. */
  readonly leads: readonly string[];
  /** The contacts anonymised. */
  readonly contacts: readonly string[];
  /** The activities whose text named the person and was rewritten. */
  readonly activities: readonly string[];
  /** How many audit entries had old or new values rewritten. */
  readonly auditEntries: number;
  /** False when the person was already erased (nothing left to change). */
  readonly changed: boolean;
}

// The person's own fields on a lead and a contact; deals, amounts, dates, sources and owners stay.
const anonymised = {
  lastName: erasedPlaceholder,
  firstName: null,
  email: null,
  phone: null,
  title: null,
} as const;

// A converted lead is frozen but for its personal fields (core's lead rules): its title stays.
const { title: _title, ...anonymisedLead } = anonymised;

function needsErasing(record: object, patch: Readonly<Record<string, unknown>>): boolean {
  const values = new Map(Object.entries(record));
  return Object.entries(patch).some(([field, value]) => (values.get(field) ?? null) !== value);
}

/** @internal Whether the engine's storage is SQLite (asked once, outside any transaction). */
export async function storageIsSqlite(ctx: AuditContext): Promise<boolean> {
  try {
    await sql`select sqlite_version() as version`.execute(ctx.db);
    return true;
  } catch {
    return false;
  }
}

/**
 * @internal Anonymises the person everywhere in one transaction: the personal fields of their
 * leads and contacts, the activity text that names them, and the old and new values of the audit
 * entries that hold them; logs the erasure. On SQLite, `secure_delete` is on for it and the WAL
 * is checkpointed (and the file vacuumed) after, so no old copy stays in free pages.
 */
export async function erasePerson(
  ctx: AuditContext,
  pending: PendingErasures,
  options: { readonly source: string; readonly vacuum: boolean; readonly sqlite: boolean },
  scope: CrmScope,
  ref: PersonRef,
): Promise<ErasureReport> {
  if (scope.actor.role !== 'admin') {
    throw new RapportError('FORBIDDEN', 'only an admin may erase a person', { object: 'privacy' });
  }
  const previous = options.sqlite
    ? await sql<{ secure_delete: number }>`pragma secure_delete`.execute(ctx.db)
    : undefined;
  if (options.sqlite) await sql`pragma secure_delete = on`.execute(ctx.db);
  let plan: ErasePlan | undefined;
  try {
    const report = await scope.transaction(async (tx) => {
      const person = await findHeldPerson(tx, ref);
      const terms = personTerms([...person.leads, ...person.contacts]);
      const keys = [
        ...person.leads.map((lead) => pendingKey(tx.tenantId, 'lead', lead.id)),
        ...person.contacts.map((contact) => pendingKey(tx.tenantId, 'contact', contact.id)),
        ...person.activities.map((activity) => pendingKey(tx.tenantId, 'activity', activity.id)),
      ];
      plan = {
        ref,
        actor: tx.actor,
        terms,
        recordIds: new Set(keys.map((key) => key.split('\u0000')[2] ?? '')),
        summary: {
          leads: person.leads.map((lead) => lead.id),
          contacts: person.contacts.map((contact) => contact.id),
          activities: person.activities.map((activity) => activity.id),
        },
        at: ctx.now().toISOString(),
        source: options.source,
        logged: false,
        rewritten: new Set(),
      };
      for (const key of keys) pending.set(key, plan);
      try {
        const activities: string[] = [];
        for (const activity of person.activities) {
          const subject = redactText(activity.subject, terms, true);
          const description =
            activity.description == null ? null : redactText(activity.description, terms, true);
          if (subject === activity.subject && description === activity.description) continue;
          await tx.activities.update(activity.id, {
            version: activity.version,
            subject,
            description,
          });
          activities.push(activity.id);
        }
        for (const contact of person.contacts) {
          if (needsErasing(contact, anonymised))
            await tx.contacts.update(contact.id, { version: contact.version, ...anonymised });
        }
        for (const lead of person.leads) {
          if (needsErasing(lead, anonymisedLead))
            await tx.leads.update(lead.id, { version: lead.version, ...anonymisedLead });
        }
        return {
          leads: plan.summary.leads ?? [],
          contacts: plan.summary.contacts ?? [],
          activities,
          auditEntries: plan.rewritten.size,
          changed: plan.logged,
        };
      } finally {
        for (const key of keys) pending.delete(key);
      }
    });
    // Nothing was left to change (erased before): the request is still logged.
    if (plan && !plan.logged) {
      const target = eraseEntry(plan);
      await ctx.tenantTables(scope.tenantId).insertInto('auditEntries', target).execute();
    }
    return report;
  } finally {
    if (options.sqlite) {
      if (options.vacuum) await sql`vacuum`.execute(ctx.db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(ctx.db);
      const before = previous?.rows[0]?.secure_delete ?? 0;
      await sql`pragma secure_delete = ${sql.raw(String(Number(before)))}`.execute(ctx.db);
    }
  }
}
