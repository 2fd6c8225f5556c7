import type { AnyDatabase, ColumnTypes } from '@rapport/core';
import { refreshKeptValues, tenantTablesOf } from '@rapport/core/storage';
import { type Kysely, sql } from 'kysely';

/**
 * The date and time columns of the tables the demo fills. `createdAt` and `updatedAt` of rows
 * the importer wrote carry the time of the import; only values inside the data set's own time
 * frame (before {@link shiftedBefore}) are moved.
 */
export const demoDateColumns: Readonly<Record<string, readonly string[]>> = {
  teams: ['createdAt', 'updatedAt'],
  users: ['createdAt', 'updatedAt'],
  accounts: ['createdAt', 'updatedAt'],
  contacts: ['createdAt', 'updatedAt'],
  campaigns: ['createdAt', 'updatedAt', 'startDate', 'endDate'],
  products: ['createdAt', 'updatedAt'],
  pipelines: ['createdAt', 'updatedAt'],
  opportunities: ['createdAt', 'updatedAt', 'openDate', 'closeDate'],
  opportunityLineItems: ['createdAt', 'updatedAt'],
  leads: ['createdAt', 'updatedAt', 'convertedAt'],
  activities: ['createdAt', 'updatedAt', 'dueAt', 'completedAt'],
  stageHistory: ['createdAt', 'updatedAt', 'closeDate', 'previousCloseDate'],
  quotas: ['createdAt', 'updatedAt', 'periodStart', 'periodEnd'],
  contracts: ['createdAt', 'updatedAt', 'startDate', 'endDate'],
};

/** Values on or after this day are not the sample data's own dates and stay where they are. */
export const shiftedBefore = '2018-04-01';

/**
 * A day moved by whole months; a day the target month does not have becomes its last day.
 *
 * @example
 * shiftDay('2017-03-31', 3); // '2017-06-30'
 */
export function shiftDay(day: string, months: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${targetYear}-${pad(targetMonth)}-${pad(Math.min(date, lastDay))}`;
}

/**
 * How many months to move data that ends on `dataEnd` so that it ends in the last complete
 * quarter before `today`: whole quarters, so months, quarters and the quotas per quarter keep
 * their calendar meaning. Never negative.
 *
 * @example
 * anchorShiftMonths('2017-12-31', '2026-12-01'); // 105: the data then ends 2026-09-30
 */
export function anchorShiftMonths(dataEnd: string, today: string): number {
  const monthIndex = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
  // The last month of the last complete quarter before today.
  const todayIndex = monthIndex(today);
  const lastQuarterEnd = todayIndex - (todayIndex % 3) - 1;
  const months = lastQuarterEnd - monthIndex(dataEnd);
  return Math.max(0, months - (((months % 3) + 3) % 3));
}

/**
 * Moves every date of the tenant's demo rows that lies in the sample data's time frame by
 * `months` whole months, in one transaction. SQLite keeps dates as ISO text, PostgreSQL as
 * `date` and `timestamptz`; both clamp the day to the target month's last one. The values the
 * engine keeps from those times (stage exits, first activities) are recomputed from the moved
 * rows in the same transaction.
 *
 * @example
 * await shiftTenantDates(db, storage.types, 'demo', 105);
 */
export async function shiftTenantDates(
  db: Kysely<AnyDatabase>,
  types: Pick<ColumnTypes, 'date'>,
  tenantId: string,
  months: number,
): Promise<void> {
  if (months === 0) return;
  const postgres = types.date === 'date';
  await db.transaction().execute(async (tx) => {
    for (const [table, columns] of Object.entries(demoDateColumns)) {
      for (const column of columns) {
        const ref = sql.ref(column);
        const shifted = postgres
          ? sql`${ref} + make_interval(months => ${months})`
          : sql`min(
              date(substr(${ref}, 1, 10), 'start of month', ${`+${months} months`},
                '+' || (cast(substr(${ref}, 9, 2) as integer) - 1) || ' days'),
              date(substr(${ref}, 1, 10), 'start of month', ${`+${months + 1} months`}, '-1 day')
            ) || substr(${ref}, 11)`;
        await tenantTablesOf(tx, tenantId)
          .updateTable(table)
          .set({ [column]: shifted })
          .where(column, '<', postgres ? sql`${shiftedBefore}::date` : shiftedBefore)
          .execute();
      }
    }
    // Stage exits and first activities are times too: recomputed from the moved rows.
    await refreshKeptValues(tx, { tenantId });
  });
}
