import type { CrmRecord } from '@rapport/core';
import type { CrmScope } from '@rapport/core/plugin';
import type { AuditEntry } from '../audit-entry.js';
import { type AuditContext, listAuditEntries } from '../audit-reader.js';
import type { PersonRef } from './erase-plan.js';
import { allPages, findHeldPerson } from './held-person.js';

/**
 * Everything held about one person (GDPR Art. 15 access, Art. 20 portability), as plain JSON.
 *
 * @example
 * const held = await crm.plugin('audit').privacy.export(scope, { lead: leadId });
 * JSON.stringify(held);
 */
export interface PersonExport {
  /** When the export was made (engine clock). */
  readonly exportedAt: string;
  /** Who was asked for. */
  readonly subject: PersonRef;
  /** The person's leads (the one named, or those converted into the contact). */
  readonly leads: CrmRecord<'lead'>[];
  /** The person's contacts (the one named, or the conversion's). */
  readonly contacts: CrmRecord<'contact'>[];
  /** The accounts a conversion made or merged into, and the contacts' accounts. */
  readonly accounts: CrmRecord<'account'>[];
  /** The opportunities a conversion made and those of the person's activities. */
  readonly opportunities: CrmRecord<'opportunity'>[];
  /** The stage history of those opportunities. */
  readonly stageHistory: CrmRecord<'stageHistory'>[];
  /** Activities linked to the person's leads or contacts. */
  readonly activities: CrmRecord<'activity'>[];
  /** Audit entries about the person's leads, contacts and activities, newest first. */
  readonly auditEntries: AuditEntry[];
}

async function found<TRecord>(
  ids: Iterable<string | null | undefined>,
  find: (id: string) => Promise<TRecord | undefined>,
): Promise<TRecord[]> {
  const records: TRecord[] = [];
  for (const id of new Set(ids)) {
    if (!id) continue;
    const record = await find(id);
    if (record) records.push(record);
  }
  return records;
}

/** @internal Exports what the scope can see of the person. */
export async function exportPerson(
  ctx: AuditContext,
  scope: CrmScope,
  ref: PersonRef,
): Promise<PersonExport> {
  const person = await findHeldPerson(scope, ref);
  const accounts = await found(
    [
      ...person.leads.map((lead) => lead.convertedAccountId),
      ...person.contacts.map((contact) => contact.accountId),
    ],
    (id) => scope.accounts.find(id),
  );
  const opportunities = await found(
    [
      ...person.leads.map((lead) => lead.convertedOpportunityId),
      ...person.activities.map((activity) => activity.opportunityId),
    ],
    (id) => scope.opportunities.find(id),
  );
  const stageHistory: CrmRecord<'stageHistory'>[] = [];
  for (const opportunity of opportunities) {
    stageHistory.push(
      ...(await allPages((cursor) =>
        scope.stageHistory.list({
          where: { opportunityId: opportunity.id },
          limit: 1000,
          cursor,
        }),
      )),
    );
  }
  const auditEntries: AuditEntry[] = [];
  const subjects = [
    ...person.leads.map((lead) => ['lead', lead.id] as const),
    ...person.contacts.map((contact) => ['contact', contact.id] as const),
    ...person.activities.map((activity) => ['activity', activity.id] as const),
  ];
  for (const [object, recordId] of subjects) {
    auditEntries.push(
      ...(await allPages((cursor) =>
        listAuditEntries(ctx, scope, { object, recordId, limit: 1000, cursor }),
      )),
    );
  }
  auditEntries.sort((a, b) =>
    a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at),
  );
  return {
    exportedAt: ctx.now().toISOString(),
    subject: ref,
    leads: person.leads,
    contacts: person.contacts,
    accounts,
    opportunities,
    stageHistory,
    activities: person.activities,
    auditEntries,
  };
}
