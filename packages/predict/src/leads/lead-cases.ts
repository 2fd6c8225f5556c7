import { type CrmRecord, type CrmScope, RapportError } from '@rapport/core';
import type { FeatureRow, FeatureValue } from '../features/feature-encoder.js';
import type { LabelledCase } from '../models/binary-model.js';
import { listAll } from '../store/list-all.js';
import { addDays, daysBetween, earliest } from '../time/days.js';

/** Options of {@link loadLeadCases}. */
export interface LeadCaseOptions {
  /** Activities within this many days of a lead's creation are features; default 14. */
  readonly activityWindowDays?: number;
  /** An open lead this many days old without conversion "went nowhere" (label 0); default 90. */
  readonly staleAfterDays?: number;
  /** Now, as an ISO time (tests and backtests pin it); default the current time. */
  readonly now?: string;
}

/** A lead with its features and, when its outcome is known, its label. */
export interface LeadCase {
  readonly id: string;
  readonly createdAt: string;
  readonly leadSource: string | null;
  readonly row: FeatureRow;
  /** 1 converted, 0 disqualified or went nowhere, null still open. */
  readonly label: 0 | 1 | null;
  /** Neither converted nor closed: a lead to score (one that went nowhere is still open). */
  readonly open: boolean;
}

type Lead = CrmRecord<'lead'>;
type Activity = CrmRecord<'activity'>;

/** Custom field values as features: numbers stay numbers, the rest become categories. */
function customFeatures(custom: Readonly<Record<string, unknown>>): Record<string, FeatureValue> {
  const features: Record<string, FeatureValue> = {};
  for (const [name, value] of Object.entries(custom)) {
    if (typeof value === 'number' && Number.isFinite(value)) features[`custom.${name}`] = value;
    else if (typeof value === 'string' || typeof value === 'boolean')
      features[`custom.${name}`] = String(value);
  }
  return features;
}

/** The outcome a lead's status records and when it was recorded; null while the lead is open. */
function recordedOutcome(lead: Lead): { readonly label: 0 | 1; readonly at: string } | null {
  if (lead.convertedOpportunityId !== null || lead.convertedAt !== null)
    return { label: 1, at: lead.convertedAt ?? lead.updatedAt };
  if (lead.status === 'Closed - Not Converted') return { label: 0, at: lead.updatedAt };
  if (lead.status === 'Closed - Converted') return { label: 1, at: lead.updatedAt };
  return null;
}

/**
 * The lead's outcome as it was known at `now`, and when it became known: an outcome recorded
 * after `now` (history imported, a model trained as of a past day) is not known yet, so it can
 * neither label the lead nor leak into training.
 */
export function leadOutcome(
  lead: Lead,
  now: string,
  staleAfterDays: number,
): { readonly label: 0 | 1 | null; readonly at: string | null } {
  const recorded = recordedOutcome(lead);
  if (recorded && recorded.at <= now) return recorded;
  if (daysBetween(lead.createdAt, now) >= staleAfterDays)
    return { label: 0, at: addDays(lead.createdAt, staleAfterDays) };
  return { label: null, at: null };
}

/**
 * The features of a lead as they were at its scoring time: the fields a lead is created with
 * (source, campaign, rating, title, whether email and phone are given, custom fields) and its
 * activities in the first `activityWindowDays` days, cut off before the outcome. Status and the
 * converted ids are never features: the outcome sets them.
 */
export function leadFeatures(
  lead: Lead,
  activities: readonly Activity[],
  campaignNames: ReadonlyMap<string, string>,
  cutoff: string,
): FeatureRow {
  const touches = activities
    .map((a) => a.completedAt ?? a.createdAt)
    .filter((at) => at >= lead.createdAt && at < cutoff)
    .sort();
  const first = touches[0];
  const last = touches.at(-1);
  return {
    leadSource: lead.leadSource,
    campaign: lead.campaignId ? (campaignNames.get(lead.campaignId) ?? lead.campaignId) : null,
    rating: lead.rating,
    title: lead.title,
    hasEmail: lead.email ? 'yes' : 'no',
    hasPhone: lead.phone ? 'yes' : 'no',
    activities: touches.length,
    daysToFirstTouch: first === undefined ? null : daysBetween(lead.createdAt, first),
    daysSinceLastTouch: last === undefined ? null : daysBetween(last, cutoff),
    ...customFeatures(lead.custom),
  };
}

/**
 * Every visible lead of the scope with its features and label, read through the scope's lists
 * (tenant and visibility apply).
 */
export async function loadLeadCases(
  scope: CrmScope,
  options: LeadCaseOptions = {},
): Promise<LeadCase[]> {
  // One form, so the comparisons with the records' ISO times below are exact.
  const now = isoNow(options.now);
  const window = options.activityWindowDays ?? 14;
  const stale = options.staleAfterDays ?? 90;
  const [leads, activities, campaigns] = await Promise.all([
    listAll((cursor) => scope.leads.list({ limit: 1000, cursor })),
    listAll((cursor) =>
      scope.activities.list({ where: { leadId: { isNull: false } }, limit: 1000, cursor }),
    ),
    listAll((cursor) => scope.campaigns.list({ limit: 1000, cursor })),
  ]);
  const campaignNames = new Map(campaigns.map((c) => [c.id, c.name]));
  const byLead = new Map<string, Activity[]>();
  for (const activity of activities) {
    if (!activity.leadId) continue;
    const list = byLead.get(activity.leadId) ?? [];
    list.push(activity);
    byLead.set(activity.leadId, list);
  }
  // A lead created after `now` did not exist yet.
  return leads.flatMap((lead) => {
    if (lead.createdAt > now) return [];
    const outcome = leadOutcome(lead, now, stale);
    const recorded = recordedOutcome(lead);
    const cutoff = earliest(addDays(lead.createdAt, window), outcome.at, now) ?? now;
    return [
      {
        id: lead.id,
        createdAt: lead.createdAt,
        leadSource: lead.leadSource,
        row: leadFeatures(lead, byLead.get(lead.id) ?? [], campaignNames, cutoff),
        label: outcome.label,
        open: recorded === null || recorded.at > now,
      },
    ];
  });
}

/** `now` as a UTC ISO time (a day or an offset given), VALIDATION when it is no time. */
function isoNow(now: string | undefined): string {
  if (now === undefined) return new Date().toISOString();
  const time = Date.parse(now);
  if (Number.isNaN(time)) {
    const message = `"${now}" is not a date or time`;
    throw new RapportError('VALIDATION', `now: ${message}`, {
      object: 'lead',
      issues: [{ path: ['now'], message, code: 'invalid_date' }],
    });
  }
  return new Date(time).toISOString();
}

/** The labelled cases among lead cases, for training. */
export function labelledLeads(cases: readonly LeadCase[]): LabelledCase[] {
  return cases.flatMap((c) =>
    c.label === null ? [] : [{ id: c.id, at: c.createdAt, row: c.row, label: c.label }],
  );
}
