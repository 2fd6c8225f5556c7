import type { ObjectRules } from '../engine/engine-state.js';
import type { StoredRecord } from '../engine/stored-record.js';
import { keepFirstActivities } from './kept-values.js';

/** The lead of an activity when it counts towards the lead's first completed activity. */
function completedLead(record: Readonly<Record<string, unknown>> | undefined): string | undefined {
  return record && record.leadId != null && record.completedAt != null
    ? String(record.leadId)
    : undefined;
}

/** The leads whose first completed activity a write (created, completed, relinked, ...) may move. */
function touchedLeads(
  record: Readonly<Record<string, unknown>>,
  previous: StoredRecord | undefined,
): string[] {
  if (
    previous &&
    previous.leadId === record.leadId &&
    previous.completedAt === record.completedAt
  ) {
    return [];
  }
  const leads = [completedLead(record), completedLead(previous)];
  return leads.filter((id): id is string => id !== undefined);
}

/** @internal Activity rules: a lead's first completed activity follows its activities. */
export const activityRules: ObjectRules = {
  async afterWrite(state, record, previous) {
    const leads = touchedLeads(record, previous);
    if (leads.length > 0) await keepFirstActivities(state, leads);
  },
  async afterCreateMany(state, records) {
    const leads = records.flatMap((record) => touchedLeads(record, undefined));
    if (leads.length > 0) await keepFirstActivities(state, leads);
  },
  async afterDelete(state, record) {
    const lead = completedLead(record);
    if (lead) await keepFirstActivities(state, [lead]);
  },
};
