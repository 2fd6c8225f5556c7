import { z } from 'zod';
import { coreDbOf, nowOf, type ScopeState } from '../engine/engine-state.js';
import { findVisible, getVisible } from '../engine/read/find-record.js';
import { decodeRow } from '../engine/record-codec.js';
import type { StoredRecord } from '../engine/stored-record.js';
import { inTransaction, queueEvent } from '../engine/transaction.js';
import { loadTenant, requireWriter } from '../engine/visibility.js';
import { createRecord } from '../engine/write/create-record.js';
import { applyUpdate } from '../engine/write/update-record.js';
import { RapportError, validationError } from '../errors/rapport-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import { idSchema, timestampSchema } from '../objects/field-schemas.js';
import {
  accountObject,
  activityObject,
  contactObject,
  leadObject,
  opportunityObject,
} from '../objects/standard-objects.js';
import { systemActor } from '../tenancy/actor.js';
import { dayInTimeZone } from '../tenancy/tenant.js';

/** Options of `scope.leads.convert`, after Salesforce's LeadConvert. */
export const convertLeadOptionsSchema = z.strictObject({
  /** Merge into this existing account instead of creating one from the lead's company. */
  accountId: idSchema.optional(),
  /** Merge into this existing contact (of the account) instead of creating one. */
  contactId: idSchema.optional(),
  /** Owner of the new records; the lead's owner by default. */
  ownerId: idSchema.optional(),
  /** `false` for no opportunity; otherwise fields of the new opportunity. */
  opportunity: z.union([z.literal(false), z.record(z.string(), z.unknown())]).optional(),
  /**
   * Link this existing opportunity instead of creating one (history imports: the deal the lead
   * became was imported on its own). It joins the conversion's account when it has none.
   */
  opportunityId: idSchema.optional(),
  /** When the lead was converted, for history imports; only Rapport's system scope may set it. */
  convertedAt: timestampSchema.optional(),
});

/**
 * Options of `scope.leads.convert`.
 *
 * @example
 * await scope.leads.convert(leadId, { accountId: existingAccountId, opportunity: { name: 'Acme - 50 seats', amount: 5_000_00 } });
 */
export type ConvertLeadOptions = z.input<typeof convertLeadOptionsSchema>;

/** @internal The records a conversion touched. */
export interface ConvertLeadResult {
  readonly lead: StoredRecord;
  readonly account: StoredRecord;
  readonly contact: StoredRecord;
  readonly opportunity: StoredRecord | null;
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * @internal Converts a lead in one transaction: account (new or merged), contact (new or merged),
 * optionally an opportunity; the lead is marked converted with their ids and its activities are
 * linked to the new records.
 */
export async function convertLead(
  state: ScopeState,
  leadId: string,
  options: unknown = {},
): Promise<ConvertLeadResult> {
  requireWriter(state, 'convert leads');
  const parsed = convertLeadOptionsSchema.safeParse(options);
  if (!parsed.success) throw fromZodError('lead', parsed.error);
  const opts = parsed.data;
  if (opts.convertedAt !== undefined && state.actor.id !== systemActor.id) {
    throw new RapportError('FORBIDDEN', 'only an import (the system scope) may set convertedAt');
  }
  if (opts.opportunityId !== undefined && opts.opportunity !== undefined) {
    throw validationError(
      'lead',
      ['opportunityId'],
      'give either an existing opportunity or fields of a new one',
      'opportunity_conflict',
    );
  }
  return inTransaction(state, async (tx) => {
    const lead = await getVisible(tx, leadObject, leadId);
    if (lead.convertedAt != null) {
      throw new RapportError('CONFLICT', `lead ${leadId} is already converted`, {
        object: 'lead',
        id: leadId,
      });
    }
    const ownerId = opts.ownerId ?? String(lead.ownerId);
    let linked: StoredRecord | undefined;
    if (opts.opportunityId !== undefined) {
      linked = await findVisible(tx, opportunityObject, opts.opportunityId);
      if (!linked)
        throw validationError(
          'lead',
          ['opportunityId'],
          `references no opportunity ${opts.opportunityId} you can see`,
          'unknown_reference',
        );
    }
    // A linked deal with an account brings the lead into that account (stored rows are untyped
    // here; a reference is a string id or null).
    const accountId =
      opts.accountId ?? (linked?.accountId as string | null | undefined) ?? undefined;

    let account: StoredRecord;
    if (accountId) {
      const found = await findVisible(tx, accountObject, accountId);
      if (!found)
        throw validationError(
          'lead',
          ['accountId'],
          `references no account ${accountId} you can see`,
          'unknown_reference',
        );
      account = found;
    } else {
      account = await createRecord(tx, accountObject, { name: lead.company, ownerId });
    }

    let contact: StoredRecord;
    if (opts.contactId) {
      const found = await findVisible(tx, contactObject, opts.contactId);
      if (!found)
        throw validationError(
          'lead',
          ['contactId'],
          `references no contact ${opts.contactId} you can see`,
          'unknown_reference',
        );
      if (found.accountId !== account.id) {
        throw validationError(
          'lead',
          ['contactId'],
          `belongs to another account than ${account.id}`,
          'contact_account_mismatch',
        );
      }
      contact = found;
    } else {
      contact = await createRecord(tx, contactObject, {
        lastName: lead.lastName,
        firstName: lead.firstName,
        email: lead.email,
        phone: lead.phone,
        title: lead.title,
        leadSource: lead.leadSource,
        accountId: account.id,
        ownerId,
      });
    }

    let opportunity: StoredRecord | null = null;
    if (linked) {
      if (linked.accountId != null && linked.accountId !== account.id) {
        throw validationError(
          'lead',
          ['opportunityId'],
          `belongs to another account than ${account.id}`,
          'opportunity_account_mismatch',
        );
      }
      opportunity =
        linked.accountId == null
          ? await applyUpdate(tx, opportunityObject, linked, { accountId: account.id })
          : linked;
    } else if (opts.opportunity !== false) {
      const today = dayInTimeZone(nowOf(tx), (await loadTenant(tx)).timeZone);
      opportunity = await createRecord(tx, opportunityObject, {
        name: `${String(lead.company)}-`,
        closeDate: addDays(today, 30),
        leadSource: lead.leadSource,
        campaignId: lead.campaignId,
        ...opts.opportunity,
        accountId: account.id,
        // Cast: the opportunity's fields are parsed by its create schema right after.
        ownerId: (opts.opportunity?.ownerId as string | undefined) ?? ownerId,
      });
    }

    const convertedLead = await applyUpdate(tx, leadObject, lead, {
      status: 'Closed - Converted',
      convertedAt: opts.convertedAt ?? nowOf(tx).toISOString(),
      convertedAccountId: account.id,
      convertedContactId: contact.id,
      convertedOpportunityId: opportunity?.id ?? null,
    });

    // Salesforce moves a converted lead's activities to the new contact and account.
    await relinkActivities(tx, leadId, {
      contactId: contact.id,
      accountId: account.id,
      opportunityId: opportunity?.id ?? null,
    });

    queueEvent(tx, {
      type: 'lead.converted',
      payload: {
        tenantId: tx.tenantId,
        actor: tx.actor,
        leadId,
        accountId: account.id,
        contactId: contact.id,
        opportunityId: opportunity?.id ?? null,
      },
    });
    return { lead: convertedLead, account, contact, opportunity };
  });
}

/**
 * The lead's activities, linked to the converted records where they had no link yet: each an
 * update through the engine (hooks, so the audit trail; events), whoever owns the activity:
 * converting the lead authorised moving its history, as in Salesforce.
 */
async function relinkActivities(
  tx: ScopeState,
  leadId: string,
  links: { contactId: string; accountId: string; opportunityId: string | null },
): Promise<void> {
  const rows = await coreDbOf(tx)
    .selectFrom('activities')
    .selectAll()
    .where('tenantId', '=', tx.tenantId)
    .where('leadId', '=', leadId)
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const activity = decodeRow(tx.engine.storage.sql, activityObject, row);
    const changes: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(links)) {
      if (activity[field] == null && value !== null) changes[field] = value;
    }
    if (Object.keys(changes).length > 0) {
      await applyUpdate(tx, activityObject, activity, changes, undefined, { access: false });
    }
  }
}
