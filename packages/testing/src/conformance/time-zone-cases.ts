import { resolvePeriod } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ConformanceSetup,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

/** 01:00 UTC on New Year's Day: still 2025 in the Americas, already 2026 in Europe and Asia. */
const newYear = new Date('2026-01-01T01:00:00.000Z');

/** @internal Days in the tenant's time zone, timestamps in UTC, date and time range boundaries. */
export function timeZoneCases(setup: ConformanceSetup): void {
  describe('time zones and boundaries', () => {
    let clock = newYear;
    const crm = useCrm(setup, { now: () => clock });
    beforeAll(() => {
      clock = newYear;
    });

    it("scope.today() is the day in the tenant's time zone", async () => {
      const cases = [
        ['UTC', '2026-01-01'],
        ['America/New_York', '2025-12-31'],
        ['Pacific/Pago_Pago', '2025-12-31'],
        ['Europe/Berlin', '2026-01-01'],
        ['Asia/Kolkata', '2026-01-01'],
        ['Pacific/Kiritimati', '2026-01-01'],
      ] as const;
      for (const [timeZone, day] of cases) {
        const { admin } = await newTenant(crm(), { timeZone });
        expect({ timeZone, today: await admin.today() }).toEqual({ timeZone, today: day });
      }
    });

    it('tenants in different time zones date the same instant differently', async () => {
      const newYork = (await newTenant(crm(), { timeZone: 'America/New_York' })).admin;
      const berlin = (await newTenant(crm(), { timeZone: 'Europe/Berlin' })).admin;
      const results = [];
      for (const scope of [newYork, berlin]) {
        const owner = await scope.users.create({ name: 'Zone Owner' });
        const deal = await scope.opportunities.create({
          name: 'New Year deal',
          ownerId: owner.id,
          closeDate: '2026-03-31',
        });
        const won = await scope.opportunities.closeWon(deal.id, { version: deal.version });
        results.push({
          openDate: deal.openDate,
          closeDate: won.closeDate,
          createdAt: deal.createdAt,
        });
        const stored = await scope.opportunities.get(deal.id);
        expect(stored.createdAt).toBe('2026-01-01T01:00:00.000Z');
        expect(stored.closeDate).toBe(won.closeDate);
      }
      expect(results).toEqual([
        { openDate: '2025-12-31', closeDate: '2025-12-31', createdAt: '2026-01-01T01:00:00.000Z' },
        { openDate: '2026-01-01', closeDate: '2026-01-01', createdAt: '2026-01-01T01:00:00.000Z' },
      ]);
    });

    it("changing the tenant's time zone changes its today", async () => {
      const { admin } = await newTenant(crm(), { timeZone: 'America/Los_Angeles' });
      expect(await admin.today()).toBe('2025-12-31');
      const updated = await admin.updateSettings({ timeZone: 'Asia/Tokyo' });
      expect(updated.timeZone).toBe('Asia/Tokyo');
      expect(await admin.today()).toBe('2026-01-01');
      await expectRapportError(
        admin.updateSettings({ timeZone: 'Mars/Olympus_Mons' }),
        'VALIDATION',
        ['timeZone'],
      );
      await expectRapportError(
        crm().createTenant({ id: 'bad-zone', name: 'Bad zone', timeZone: 'Nowhere/Land' }),
        'VALIDATION',
        ['timeZone'],
      );
    });

    it('the clock moves: records made later carry the later instant', async () => {
      const { admin } = await newTenant(crm(), { timeZone: 'Europe/Berlin' });
      const owner = await admin.users.create({ name: 'Clock Owner' });
      const account = await admin.accounts.create({ name: 'Clocked', ownerId: owner.id });
      clock = new Date('2026-06-30T22:30:00.000Z');
      try {
        expect(await admin.today()).toBe('2026-07-01');
        const updated = await admin.accounts.update(account.id, {
          version: account.version,
          industry: 'Later',
        });
        expect(updated.updatedAt).toBe('2026-06-30T22:30:00.000Z');
        expect((await admin.accounts.get(account.id)).updatedAt).toBe('2026-06-30T22:30:00.000Z');
        expect((await admin.accounts.get(account.id)).createdAt).toBe('2026-01-01T01:00:00.000Z');
      } finally {
        clock = newYear;
      }
    });

    it('timestamps given with an offset are stored in UTC and filter by instant at the boundaries', async () => {
      const { admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'Boundary Owner' });
      const instants = [
        ['2025-12-31T23:59:59.999Z', 'last millisecond of 2025'],
        ['2026-01-01T09:00:00+09:00', 'midnight UTC, given in Tokyo time'],
        ['2026-01-31T23:59:59.999Z', 'end of January'],
        ['2026-01-31T20:00:00-05:00', 'first hour of February UTC, given in New York time'],
      ] as const;
      for (const [dueAt, subject] of instants) {
        await admin.activities.create({ type: 'task', subject, ownerId: owner.id, dueAt });
      }
      const stored = (await admin.activities.list({ orderBy: { field: 'dueAt' } })).items;
      expect(stored.map((a) => a.dueAt)).toEqual([
        '2025-12-31T23:59:59.999Z',
        '2026-01-01T00:00:00.000Z',
        '2026-01-31T23:59:59.999Z',
        '2026-02-01T01:00:00.000Z',
      ]);
      const january = await admin.activities.list({
        where: { dueAt: { gte: '2026-01-01T00:00:00.000Z', lt: '2026-02-01T00:00:00.000Z' } },
        orderBy: { field: 'dueAt' },
      });
      expect(january.items.map((a) => a.subject)).toEqual([
        'midnight UTC, given in Tokyo time',
        'end of January',
      ]);
    });

    it('periods cut in the tenant calendar select rows at their exact boundaries (DST, fiscal year)', async () => {
      const { admin } = await newTenant(crm(), {
        timeZone: 'Europe/Berlin',
        fiscalYearStartMonth: 4,
      });
      const settings = await admin.settings();
      const calendar = {
        timeZone: settings.timeZone,
        fiscalYearStartMonth: settings.fiscalYearStartMonth,
        today: await admin.today(),
      };
      const owner = await admin.users.create({ name: 'Period Owner' });

      // March 2026 in Berlin starts at CET (+1) and ends at CEST (+2).
      const march = resolvePeriod('2026-03', calendar);
      expect([march.startInstant, march.endInstant]).toEqual([
        '2026-02-28T23:00:00.000Z',
        '2026-03-31T22:00:00.000Z',
      ]);
      const completions = [
        ['2026-02-28T22:59:59.999Z', 'last moment of February in Berlin'],
        ['2026-02-28T23:00:00.000Z', 'first moment of March in Berlin'],
        ['2026-03-29T01:30:00.000Z', 'the night the clocks change'],
        ['2026-03-31T21:59:59.999Z', 'last moment of March in Berlin'],
        ['2026-03-31T22:00:00.000Z', 'first moment of April in Berlin'],
      ] as const;
      for (const [completedAt, subject] of completions) {
        await admin.activities.create({ type: 'call', subject, ownerId: owner.id, completedAt });
      }
      const inMarch = await admin.activities.list({
        where: { completedAt: { gte: march.startInstant!, lt: march.endInstant! } },
        orderBy: { field: 'completedAt' },
      });
      expect(inMarch.items.map((a) => a.subject)).toEqual([
        'first moment of March in Berlin',
        'the night the clocks change',
        'last moment of March in Berlin',
      ]);

      // Fiscal year 2026 with an April start: 2025-04-01 up to (not including) 2026-04-01.
      const fiscal = resolvePeriod('FY2026', calendar);
      expect([fiscal.start, fiscal.end]).toEqual(['2025-04-01', '2026-04-01']);
      for (const closeDate of ['2025-03-31', '2025-04-01', '2026-03-31', '2026-04-01']) {
        await admin.opportunities.create({ name: closeDate, ownerId: owner.id, closeDate });
      }
      const inFiscalYear = await admin.opportunities.list({
        where: { closeDate: { gte: fiscal.start!, lt: fiscal.end! } },
        orderBy: { field: 'closeDate' },
      });
      expect(inFiscalYear.items.map((d) => d.closeDate)).toEqual(['2025-04-01', '2026-03-31']);
    });

    it('date ranges include both ends', async () => {
      const { admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'Date Owner' });
      for (const closeDate of ['2025-12-31', '2026-01-01', '2026-03-31', '2026-04-01']) {
        await admin.opportunities.create({ name: closeDate, ownerId: owner.id, closeDate });
      }
      const q1 = await admin.opportunities.list({
        where: { closeDate: { gte: '2026-01-01', lte: '2026-03-31' } },
        orderBy: { field: 'closeDate' },
      });
      expect(q1.items.map((d) => d.closeDate)).toEqual(['2026-01-01', '2026-03-31']);
      expect(await admin.opportunities.count({ closeDate: '2026-04-01' })).toBe(1);
      await expectRapportError(
        admin.opportunities.create({ name: 'Feb 30', ownerId: owner.id, closeDate: '2026-02-30' }),
        'VALIDATION',
        ['closeDate'],
      );
    });
  });
}
