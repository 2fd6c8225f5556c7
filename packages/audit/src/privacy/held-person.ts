import { type CrmRecord, type Page, RapportError } from '@rapport/core';
import type { CrmScope } from '@rapport/core/plugin';
import type { PersonRef } from './erase-plan.js';

/** The records that hold one person: their leads and contacts (linked by conversion). */
export interface HeldPerson {
  /** The person's leads: the one named, or the leads converted into the contact named. */
  readonly leads: CrmRecord<'lead'>[];
  /** The person's contacts: the one named, or the one the lead was converted into. */
  readonly contacts: CrmRecord<'contact'>[];
  /** Activities linked to any of those leads or contacts. */
  readonly activities: CrmRecord<'activity'>[];
}

/** @internal Every page of a list. */
export async function allPages<TRecord>(
  list: (cursor: string | undefined) => Promise<Page<TRecord>>,
): Promise<TRecord[]> {
  const records: TRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    records.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return records;
}

function checkRef(ref: unknown): PersonRef {
  if (ref !== null && typeof ref === 'object') {
    const keys = Object.keys(ref);
    const [key] = keys;
    // A non-null object, read by one of its own keys.
    const value: unknown = key ? (ref as Record<string, unknown>)[key] : undefined;
    if (keys.length === 1 && (key === 'lead' || key === 'contact') && typeof value === 'string') {
      return key === 'lead' ? { lead: value } : { contact: value };
    }
  }
  throw new RapportError('VALIDATION', 'privacy: a person is { lead: id } or { contact: id }', {
    object: 'privacy',
    issues: [{ path: [], message: 'give exactly one of lead and contact, an id', code: 'invalid' }],
  });
}

/**
 * @internal Finds the person through the scope (NOT_FOUND if the actor cannot see the record):
 * a lead with the contact it was converted into, or a contact with the leads converted into it,
 * and the activities linked to any of them.
 */
export async function findHeldPerson(scope: CrmScope, input: PersonRef): Promise<HeldPerson> {
  const ref = checkRef(input);
  const contacts: CrmRecord<'contact'>[] = [];
  if ('lead' in ref) {
    const lead = await scope.leads.get(ref.lead);
    const contact = lead.convertedContactId
      ? await scope.contacts.find(lead.convertedContactId)
      : undefined;
    if (contact) contacts.push(contact);
    else return { leads: [lead], contacts, activities: await linkedActivities(scope, [lead], []) };
  } else {
    contacts.push(await scope.contacts.get(ref.contact));
  }
  const leads = await allPages((cursor) =>
    scope.leads.list({
      where: { convertedContactId: { in: contacts.map((c) => c.id) } },
      limit: 1000,
      cursor,
    }),
  );
  return { leads, contacts, activities: await linkedActivities(scope, leads, contacts) };
}

async function linkedActivities(
  scope: CrmScope,
  leads: readonly CrmRecord<'lead'>[],
  contacts: readonly CrmRecord<'contact'>[],
): Promise<CrmRecord<'activity'>[]> {
  const byId = new Map<string, CrmRecord<'activity'>>();
  const wheres = [
    ...(leads.length > 0 ? [{ leadId: { in: leads.map((l) => l.id) } }] : []),
    ...(contacts.length > 0 ? [{ contactId: { in: contacts.map((c) => c.id) } }] : []),
  ];
  for (const where of wheres) {
    const found = await allPages((cursor) => scope.activities.list({ where, limit: 1000, cursor }));
    for (const activity of found) byId.set(activity.id, activity);
  }
  return [...byId.values()];
}
