import type { CreateInput } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  addDays,
  type ConformanceSetup,
  expectNothingWritten,
  expectRapportError,
  newTenant,
  snapshotCounts,
  useCrm,
} from './conformance-context.js';

/** @internal Salesforce-style lead conversion, in one transaction. */
export function leadConversionCases(setup: ConformanceSetup): void {
  describe('lead conversion', () => {
    const crm = useCrm(setup);
    let admin: AnyScope;
    let tenantId: string;
    let owner: { id: string };
    let otherOwner: { id: string };
    let campaign: { id: string };
    let leadCounter = 0;
    const newLead = (extra: Partial<CreateInput<'lead'>> = {}) => {
      leadCounter += 1;
      return admin.leads.create({
        firstName: 'Lena',
        lastName: `Lead ${leadCounter}`,
        company: `Initech ${leadCounter}`,
        email: `lena${leadCounter}@initech.example`,
        phone: '+49 30 1234',
        title: 'CTO',
        leadSource: 'Web',
        campaignId: campaign.id,
        ownerId: owner.id,
        ...extra,
      });
    };
    beforeAll(async () => {
      const tenant = await newTenant(crm());
      admin = tenant.admin;
      tenantId = tenant.id;
      owner = await admin.users.create({ name: 'Lead Owner' });
      otherOwner = await admin.users.create({ name: 'Other Owner' });
      campaign = await admin.campaigns.create({ name: 'Webinar' });
    });

    it('creates an account, a contact and an opportunity from the lead', async () => {
      const lead = await newLead();
      const activity = await admin.activities.create({
        type: 'call',
        subject: 'Discovery',
        ownerId: owner.id,
        leadId: lead.id,
      });
      const before = await snapshotCounts(admin);
      const result = await admin.leads.convert(lead.id);
      const today = await admin.today();

      expect(result.account).toMatchObject({ name: lead.company, ownerId: owner.id });
      expect(result.contact).toMatchObject({
        firstName: 'Lena',
        lastName: lead.lastName,
        email: lead.email,
        phone: '+49 30 1234',
        title: 'CTO',
        leadSource: 'Web',
        accountId: result.account.id,
        ownerId: owner.id,
      });
      expect(result.opportunity).toMatchObject({
        accountId: result.account.id,
        ownerId: owner.id,
        leadSource: 'Web',
        campaignId: campaign.id,
        stage: 'Prospecting',
        status: 'open',
        closeDate: addDays(today, 30),
      });
      expect(result.lead).toMatchObject({
        id: lead.id,
        status: 'Closed - Converted',
        convertedAccountId: result.account.id,
        convertedContactId: result.contact.id,
        convertedOpportunityId: result.opportunity?.id,
        version: lead.version + 1,
      });
      expect(result.lead.convertedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

      // What was returned is what was stored.
      expect(await admin.leads.get(lead.id)).toEqual(result.lead);
      expect(await admin.accounts.get(result.account.id)).toEqual(result.account);
      expect(await admin.contacts.get(result.contact.id)).toEqual(result.contact);
      expect(await admin.opportunities.get(result.opportunity!.id)).toEqual(result.opportunity);
      const after = await snapshotCounts(admin);
      expect(after).toMatchObject({
        account: before.account! + 1,
        contact: before.contact! + 1,
        opportunity: before.opportunity! + 1,
        lead: before.lead,
      });
      // The lead's activities move to the new records, as in Salesforce.
      expect(await admin.activities.get(activity.id)).toMatchObject({
        leadId: lead.id,
        contactId: result.contact.id,
        accountId: result.account.id,
        opportunityId: result.opportunity!.id,
      });
    });

    it('takes the fields of the new opportunity and another owner', async () => {
      const lead = await newLead();
      const result = await admin.leads.convert(lead.id, {
        ownerId: otherOwner.id,
        opportunity: { name: 'Initech - 50 seats', amount: 5_000_00, stage: 'Qualification' },
      });
      expect(result.opportunity).toMatchObject({
        name: 'Initech - 50 seats',
        amount: 5_000_00,
        stage: 'Qualification',
        ownerId: otherOwner.id,
      });
      expect(result.account.ownerId).toBe(otherOwner.id);
      expect(result.contact.ownerId).toBe(otherOwner.id);
    });

    it('merges into an existing account', async () => {
      const account = await admin.accounts.create({ name: 'Existing Co', ownerId: owner.id });
      const lead = await newLead();
      const before = await snapshotCounts(admin);
      const result = await admin.leads.convert(lead.id, { accountId: account.id });
      expect(result.account).toEqual(account);
      expect(result.contact.accountId).toBe(account.id);
      expect(result.opportunity?.accountId).toBe(account.id);
      const after = await snapshotCounts(admin);
      expect(after.account).toBe(before.account);
      expect(after.contact).toBe(before.contact! + 1);
      expect((await admin.leads.get(lead.id)).convertedAccountId).toBe(account.id);
    });

    it('merges into an existing contact of that account', async () => {
      const account = await admin.accounts.create({ name: 'Merge Co', ownerId: owner.id });
      const contact = await admin.contacts.create({
        lastName: 'Known',
        accountId: account.id,
        ownerId: owner.id,
      });
      const lead = await newLead();
      const before = await snapshotCounts(admin);
      const result = await admin.leads.convert(lead.id, {
        accountId: account.id,
        contactId: contact.id,
      });
      expect(result.contact).toEqual(contact);
      const after = await snapshotCounts(admin);
      expect(after.account).toBe(before.account);
      expect(after.contact).toBe(before.contact);
      expect(after.opportunity).toBe(before.opportunity! + 1);
      expect(result.lead.convertedContactId).toBe(contact.id);
    });

    it('creates no opportunity with opportunity: false', async () => {
      const lead = await newLead();
      const before = await snapshotCounts(admin);
      const result = await admin.leads.convert(lead.id, { opportunity: false });
      expect(result.opportunity).toBeNull();
      expect(result.lead.convertedOpportunityId).toBeNull();
      expect((await snapshotCounts(admin)).opportunity).toBe(before.opportunity);
    });

    it('a converted lead cannot be converted again or edited (CONFLICT)', async () => {
      const lead = await newLead();
      const { lead: converted } = await admin.leads.convert(lead.id, { opportunity: false });
      await expectNothingWritten(admin, () => admin.leads.convert(lead.id), 'CONFLICT');
      await expectRapportError(
        admin.leads.update(lead.id, { version: converted.version, title: 'CEO' }),
        'CONFLICT',
      );
      expect(await admin.leads.get(lead.id)).toEqual(converted);
    });

    it('a converted lead sent again unchanged is no change: same record, no CONFLICT', async () => {
      const lead = await newLead();
      const { lead: converted } = await admin.leads.convert(lead.id, { opportunity: false });
      const again = await admin.leads.update(lead.id, {
        version: converted.version,
        title: converted.title,
        status: converted.status,
      });
      expect(again).toEqual(converted);
      expect(await admin.leads.get(lead.id)).toEqual(converted);
    });

    it('rolls back every step when a later step fails: nothing is written', async () => {
      const lead = await newLead();
      // The account and contact are written before the opportunity fails on its stage.
      await expectNothingWritten(
        admin,
        () => admin.leads.convert(lead.id, { opportunity: { stage: 'No Such Stage' } }),
        'VALIDATION',
        ['stage'],
      );
      await expectNothingWritten(
        admin,
        () => admin.leads.convert(lead.id, { opportunity: { amount: -5 } }),
        'VALIDATION',
        ['amount'],
      );
      expect(await admin.leads.get(lead.id)).toEqual(lead);
      expect(await admin.accounts.count({ name: lead.company })).toBe(0);
    });

    it('bad references and options are VALIDATION errors that write nothing', async () => {
      const lead = await newLead();
      const accountA = await admin.accounts.create({ name: 'A Co', ownerId: owner.id });
      const accountB = await admin.accounts.create({ name: 'B Co', ownerId: owner.id });
      const contactOfB = await admin.contacts.create({
        lastName: 'Of B',
        accountId: accountB.id,
        ownerId: owner.id,
      });
      await expectNothingWritten(
        admin,
        () => admin.leads.convert(lead.id, { accountId: accountA.id, contactId: contactOfB.id }),
        'VALIDATION',
        ['contactId'],
      );
      await expectNothingWritten(
        admin,
        () => admin.leads.convert(lead.id, { accountId: 'no-such-account' }),
        'VALIDATION',
        ['accountId'],
      );
      const foreign = (await newTenant(crm())).admin;
      const foreignOwner = await foreign.users.create({ name: 'Foreign' });
      const foreignAccount = await foreign.accounts.create({
        name: 'Foreign Co',
        ownerId: foreignOwner.id,
      });
      await expectNothingWritten(
        admin,
        () => admin.leads.convert(lead.id, { accountId: foreignAccount.id }),
        'VALIDATION',
        ['accountId'],
      );
      await expectNothingWritten(
        admin,
        // @ts-expect-error an unknown option does not compile either
        () => admin.leads.convert(lead.id, { bogus: true }),
        'VALIDATION',
        ['bogus'],
      );
      expect(await admin.leads.get(lead.id)).toEqual(lead);
    });

    it('status "Closed - Converted" is only set by convert', async () => {
      await expectNothingWritten(
        admin,
        () => newLead({ status: 'Closed - Converted' }),
        'VALIDATION',
        ['status'],
      );
      await expectNothingWritten(
        admin,
        // @ts-expect-error the converted ids are read-only
        () => newLead({ convertedAccountId: 'x' }),
        'VALIDATION',
        ['convertedAccountId'],
      );
    });

    it("a rep cannot convert someone else's lead", async () => {
      const lead = await newLead();
      const rep = crm().tenant(tenantId).as({ id: otherOwner.id, role: 'rep' });
      await expectNothingWritten(admin, () => rep.leads.convert(lead.id), 'NOT_FOUND');
      const own = await newLead({ ownerId: otherOwner.id });
      const result = await rep.leads.convert(own.id);
      expect(result.lead.updatedBy).toBe(otherOwner.id);
      expect(result.opportunity?.ownerId).toBe(otherOwner.id);
    });
  });
}
