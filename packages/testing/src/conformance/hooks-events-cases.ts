import { definePlugin, RapportError, type RapportEvents } from '@rapport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AnyScope,
  type ConformanceSetup,
  expectNothingWritten,
  expectRapportError,
  newTenant,
  snapshotCounts,
  useCrm,
} from './conformance-context.js';

/** The order hooks ran in, per account name. */
const calls: string[] = [];

const auditPlugin = definePlugin({
  id: 'conformance-audit',
  hooks: {
    account: {
      beforeCreate: ({ data }) => {
        calls.push(`plugin:beforeCreate:${String(data.name)}`);
      },
    },
  },
});

/** @internal Hooks, events after commit, and `scope.transaction`. */
export function hooksEventsCases(setup: ConformanceSetup): void {
  describe('hooks, events and transactions', () => {
    const crm = useCrm(setup, {
      plugins: [auditPlugin],
      hooks: {
        account: {
          beforeCreate: ({ data }) => {
            calls.push(`config:beforeCreate:${String(data.name)}`);
            const name = String(data.name);
            if (name === 'reject me') {
              throw new RapportError('VALIDATION', 'account: name is reserved', {
                object: 'account',
                issues: [{ path: ['name'], message: 'is reserved', code: 'reserved' }],
              });
            }
            if (name.startsWith(' ')) return { name: name.trim(), industry: 'Set by hook' };
            if (name === 'invalid by hook') return { numberOfEmployees: -1 };
            if (name === 'custom by hook') return { custom: { tier: 'gold' } };
            return undefined;
          },
          afterCreate: async ({ record, scope }) => {
            const name = String(record.name);
            if (name === 'with contact' || name === 'fail after') {
              await scope.contacts.create({
                lastName: `Contact of ${name}`,
                accountId: String(record.id),
                ownerId: String(record.ownerId),
              });
            }
            if (name === 'fail after') throw new Error('the after hook failed');
          },
          beforeUpdate: ({ data, previous }) => {
            if (data.industry === 'shout')
              return { industry: String(previous.industry).toUpperCase() };
            return undefined;
          },
          beforeDelete: ({ record }) => {
            if (record.name === 'undeletable') {
              throw new RapportError('FORBIDDEN', 'this account is kept', { object: 'account' });
            }
          },
        },
      },
      fields: { account: { tier: z.string().optional() } },
    });
    let admin: AnyScope;
    let tenantId: string;
    let ownerId: string;
    const events: { type: keyof RapportEvents; payload: RapportEvents[keyof RapportEvents] }[] = [];
    const eventTypes = [
      'record.created',
      'record.updated',
      'record.deleted',
      'opportunity.stageChanged',
      'opportunity.closed',
      'lead.converted',
    ] as const satisfies readonly (keyof RapportEvents)[];
    const handlers = eventTypes.map((type) => ({
      type,
      handler: (payload: RapportEvents[keyof RapportEvents]) => {
        if (payload.tenantId === tenantId) events.push({ type, payload });
      },
    }));
    const eventsFor = (id: string) =>
      events.filter(
        (e) =>
          ('record' in e.payload && e.payload.record.id === id) ||
          ('leadId' in e.payload && e.payload.leadId === id),
      );

    beforeAll(async () => {
      const tenant = await newTenant(crm());
      admin = tenant.admin;
      tenantId = tenant.id;
      ownerId = (await admin.users.create({ name: 'Hook Owner' })).id;
      for (const { type, handler } of handlers) crm().events.on(type, handler);
    });
    afterAll(() => {
      for (const { type, handler } of handlers) crm().events.off(type, handler);
    });

    it('plugin hooks run before config hooks', async () => {
      await admin.accounts.create({ name: 'ordered', ownerId });
      expect(calls.filter((c) => c.endsWith(':ordered'))).toEqual([
        'plugin:beforeCreate:ordered',
        'config:beforeCreate:ordered',
      ]);
    });

    it('a before hook changes the values that are stored', async () => {
      const created = await admin.accounts.create({ name: '  padded  ', ownerId });
      expect(created).toMatchObject({ name: 'padded', industry: 'Set by hook' });
      expect(await admin.accounts.get(created.id)).toEqual(created);
      const custom = await admin.accounts.create({ name: 'custom by hook', ownerId });
      expect((await admin.accounts.get(custom.id)).custom).toEqual({ tier: 'gold' });
      const updated = await admin.accounts.update(created.id, {
        version: created.version,
        industry: 'shout',
      });
      expect(updated.industry).toBe('SET BY HOOK');
    });

    it('what a before hook returns is validated like input', async () => {
      await expectNothingWritten(
        admin,
        () => admin.accounts.create({ name: 'invalid by hook', ownerId }),
        'VALIDATION',
        ['numberOfEmployees'],
      );
    });

    it('a throwing before hook rejects the write: nothing is written, no event', async () => {
      const before = events.length;
      await expectNothingWritten(
        admin,
        () => admin.accounts.create({ name: 'reject me', ownerId }),
        'VALIDATION',
        ['name'],
      );
      expect(events.length).toBe(before);
      const kept = await admin.accounts.create({ name: 'undeletable', ownerId });
      await expectRapportError(admin.accounts.delete(kept.id), 'FORBIDDEN');
      expect(await admin.accounts.find(kept.id)).toBeDefined();
    });

    it('after hooks run inside the transaction: their writes commit with it', async () => {
      const account = await admin.accounts.create({ name: 'with contact', ownerId });
      const contacts = await admin.contacts.list({ where: { accountId: account.id } });
      expect(contacts.items.map((c) => c.lastName)).toEqual(['Contact of with contact']);
    });

    it('a throwing after hook rolls back the write and the hook’s own writes', async () => {
      const before = await snapshotCounts(admin);
      const eventsBefore = events.length;
      await expect(admin.accounts.create({ name: 'fail after', ownerId })).rejects.toThrow(
        'the after hook failed',
      );
      expect(await snapshotCounts(admin)).toEqual(before);
      expect(await admin.accounts.count({ name: 'fail after' })).toBe(0);
      expect(events.length).toBe(eventsBefore);
    });

    it('events fire after commit with the record, the previous record and the actor', async () => {
      const account = await admin.accounts.create({ name: 'evented', ownerId });
      expect(eventsFor(account.id).map((e) => e.type)).toEqual(['record.created']);
      const updated = await admin.accounts.update(account.id, {
        version: account.version,
        industry: 'Retail',
      });
      await admin.accounts.delete(account.id);
      const seen = eventsFor(account.id);
      expect(seen.map((e) => e.type)).toEqual([
        'record.created',
        'record.updated',
        'record.deleted',
      ]);
      expect(seen[1]?.payload).toMatchObject({
        object: 'account',
        actor: { id: 'system', role: 'admin' },
        record: { id: account.id, industry: 'Retail', version: updated.version },
        previous: { id: account.id, industry: null, version: account.version },
      });
    });

    it('stage changes, closing and conversions have their own events', async () => {
      const deal = await admin.opportunities.create({
        name: 'Evented deal',
        ownerId,
        closeDate: '2026-12-31',
      });
      const moved = await admin.opportunities.changeStage(deal.id, {
        version: deal.version,
        stage: 'Qualification',
      });
      await admin.opportunities.closeWon(deal.id, { version: moved.version });
      const types = eventsFor(deal.id).map((e) => e.type);
      expect(types.filter((t) => t === 'opportunity.stageChanged')).toHaveLength(2);
      expect(types).toContain('opportunity.closed');
      const closed = eventsFor(deal.id).find((e) => e.type === 'opportunity.closed');
      expect(closed?.payload).toMatchObject({ won: true });
      const changed = eventsFor(deal.id).find((e) => e.type === 'opportunity.stageChanged');
      expect(changed?.payload).toMatchObject({
        fromStage: 'Prospecting',
        toStage: 'Qualification',
      });

      const lead = await admin.leads.create({ lastName: 'Evented', company: 'Ev Co', ownerId });
      const result = await admin.leads.convert(lead.id);
      expect(eventsFor(lead.id).find((e) => e.type === 'lead.converted')?.payload).toMatchObject({
        leadId: lead.id,
        accountId: result.account.id,
        contactId: result.contact.id,
        opportunityId: result.opportunity?.id,
      });
    });

    it('scope.transaction commits together and fires events only after the commit', async () => {
      let eventsInside = -1;
      const result = await admin.transaction(async (tx) => {
        const account = await tx.accounts.create({ name: 'in transaction', ownerId });
        const contact = await tx.contacts.create({
          lastName: 'In Tx',
          accountId: account.id,
          ownerId,
        });
        // Reads inside the transaction see its own writes.
        expect((await tx.accounts.get(account.id)).name).toBe('in transaction');
        eventsInside = eventsFor(account.id).length + eventsFor(contact.id).length;
        return { account, contact };
      });
      expect(eventsInside).toBe(0);
      expect(eventsFor(result.account.id).map((e) => e.type)).toEqual(['record.created']);
      expect(eventsFor(result.contact.id).map((e) => e.type)).toEqual(['record.created']);
      expect(await admin.contacts.get(result.contact.id)).toEqual(result.contact);
    });

    it('scope.transaction rolls back everything on error, and no event fires', async () => {
      const before = await snapshotCounts(admin);
      const eventsBefore = events.length;
      const failure = new Error('abort the batch');
      await expect(
        admin.transaction(async (tx) => {
          const account = await tx.accounts.create({ name: 'rolled back', ownerId });
          await tx.opportunities.create({
            name: 'Rolled back deal',
            ownerId,
            accountId: account.id,
            closeDate: '2026-12-31',
          });
          await tx.currencies.setRate('USD', 0.9);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await snapshotCounts(admin)).toEqual(before);
      expect(events.length).toBe(eventsBefore);
    });

    it('a RapportError inside scope.transaction rolls back the earlier writes', async () => {
      const existing = await admin.accounts.create({ name: 'existing', ownerId });
      await expectNothingWritten(
        admin,
        () =>
          admin.transaction(async (tx) => {
            await tx.accounts.create({ name: 'first of two', ownerId });
            await tx.accounts.update(existing.id, { version: existing.version + 5, industry: 'x' });
          }),
        'CONFLICT',
      );
    });

    it('nested transactions join the outer one', async () => {
      const before = await snapshotCounts(admin);
      await expect(
        admin.transaction(async (outer) => {
          await outer.transaction(async (inner) => {
            await inner.accounts.create({ name: 'inner', ownerId });
          });
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await snapshotCounts(admin)).toEqual(before);
    });

    it('off() stops delivery', async () => {
      const seen: string[] = [];
      const handler = (event: RapportEvents['record.created']) => {
        if (event.tenantId === tenantId) seen.push(event.record.id);
      };
      crm().events.on('record.created', handler);
      const first = await admin.accounts.create({ name: 'heard', ownerId });
      crm().events.off('record.created', handler);
      await admin.accounts.create({ name: 'not heard', ownerId });
      expect(seen).toEqual([first.id]);
    });
  });
}
