import type { AnyDatabase, ColumnTypes, CrmScope } from '@rapport/core';
import {
  generateCrmData,
  generateStageHistory,
  type HistoryStage,
  importMavenCrm,
  insertGeneratedData,
  mavenAsOfDate,
} from '@rapport/sample-data';
import type { Kysely } from 'kysely';
import { anchorShiftMonths, shiftDay, shiftTenantDates } from './date-anchor.js';

/** Options of {@link loadDemoData}. */
export interface DemoDataOptions {
  /** Seed of the generated part. */
  readonly seed: number;
  /** Generated leads. */
  readonly leads?: number;
  /** Progress messages. */
  readonly log?: (message: string) => void;
  /**
   * Move the sample data (it ends 2017-12-31) by whole quarters so that it ends in the last
   * complete quarter before this day (`YYYY-MM-DD`); `null` keeps its own dates. Applied once,
   * when the sample data is still at its own dates; later runs keep the shift found in the data.
   */
  readonly anchorTo?: string | null;
  /** The storage's column types (SQLite keeps dates as text, PostgreSQL as dates). */
  readonly types?: Pick<ColumnTypes, 'date'>;
}

/** What the demo database holds. */
export interface DemoDataSummary {
  readonly mavenImported: boolean;
  readonly generated: Readonly<Record<string, number>>;
  /** The period the report shows: the sample data's last twelve months (2017 when not moved). */
  readonly period: string;
  /** Months the sample data's dates were moved by (0: its own dates, 2017). */
  readonly shiftedMonths: number;
  /** The last day of the (shifted) sample data: 2017-12-31 moved by {@link shiftedMonths}. */
  readonly dataEnd: string;
}

/**
 * Fills the demo tenant: the Maven CRM sample data (once; it is one transaction, so it is either
 * fully there or not at all), then generated leads with sources and campaign costs, lead
 * activities, quotas per rep and quarter and contracts with renewals and churn, over the two
 * years the sample data covers. Generated rows have fixed ids and are inserted with
 * "on conflict do nothing", so running it again adds nothing.
 *
 * @example
 * await loadDemoData(scope, opened.rawDatabase(), { seed: 1 });
 */
export async function loadDemoData(
  scope: CrmScope,
  db: Kysely<AnyDatabase>,
  options: DemoDataOptions,
): Promise<DemoDataSummary> {
  const log = options.log ?? (() => {});
  let mavenImported = false;
  if (!(await scope.pipelines.findByExternalId('maven:pipeline'))) {
    log('loading the Maven CRM sample data (8,800 opportunities; once)...');
    await importMavenCrm(scope, { currency: (await scope.settings()).baseCurrency });
    mavenImported = true;
  }
  const shiftedMonths = await anchorSampleData(scope, db, options);
  const dataEnd = shiftDay(mavenAsOfDate, shiftedMonths);
  const year = Number(dataEnd.slice(0, 4));
  // The generated part covers the two years before the data's end, in whole quarters.
  const generatedStart = shiftDay(`${Number(mavenAsOfDate.slice(0, 4)) - 1}-01-01`, shiftedMonths);
  const reps = await allOf((cursor) =>
    scope.users.list({
      where: { role: 'rep' },
      orderBy: { field: 'externalId' },
      limit: 1000,
      ...cursor,
    }),
  );
  const accounts = await allOf((cursor) =>
    scope.accounts.list({ orderBy: { field: 'externalId' }, limit: 1000, ...cursor }),
  );
  const products = await allOf((cursor) =>
    scope.products.list({ orderBy: { field: 'externalId' }, limit: 1000, ...cursor }),
  );
  const pipeline = await scope.pipelines.findByExternalId('maven:pipeline');
  const opportunities: {
    id: string;
    stage: string;
    amount: number | null;
    currency: string;
    openDate: string;
    closeDate: string;
  }[] = await (await scope.from('opportunity'))
    .select(['t.id', 't.stage', 't.amount', 't.currency', 't.openDate', 't.closeDate'])
    .where('t.pipelineId', '=', pipeline?.id ?? '')
    .orderBy('t.externalId')
    .execute();
  log('generating leads, campaigns, activities, quotas and contracts...');
  const generated = await insertGeneratedData(
    db,
    generateCrmData({
      tenantId: scope.tenantId,
      pipelineId: pipeline?.id ?? '',
      seed: options.seed,
      prefix: 'demo',
      opportunities: 0,
      leads: options.leads ?? 4000,
      start: generatedStart,
      months: 24,
      currency: (await scope.settings()).baseCurrency,
      existing: {
        userIds: reps.map((u) => u.id),
        accountIds: accounts.map((a) => a.id),
        products: products.map((p) => ({ id: p.id, listPrice: p.listPrice })),
        opportunityIds: opportunities.map((o) => o.id),
      },
    }),
  );
  // The sample data has no history: give its deals a past through the pipeline's stages, so
  // stage conversion and time in stage have something to measure.
  const stages: readonly HistoryStage[] = pipeline?.stages ?? [];
  const history = await insertGeneratedData(
    db,
    generateStageHistory(opportunities, {
      tenantId: scope.tenantId,
      stages,
      asOf: dataEnd,
      seed: options.seed,
      prefix: 'demo-hist',
    }),
  );
  generated.stageHistory = history.stageHistory ?? 0;
  const added = Object.values(generated).reduce((sum, n) => sum + n, 0);
  log(
    added > 0
      ? `added ${Object.entries(generated)
          .filter(([, n]) => n > 0)
          .map(([table, n]) => `${n} ${table}`)
          .join(', ')}`
      : 'the generated data is already there',
  );
  // The report covers the sample data's last year: 2017, or the twelve months it now ends with.
  const period =
    shiftedMonths === 0 ? String(year) : `${shiftDay(mavenFirstDay, shiftedMonths)}..${dataEnd}`;
  return { mavenImported, generated, period, shiftedMonths, dataEnd };
}

/** The months the sample data is moved by: found in the data, else applied now (once). */
const mavenFirstDay = `${mavenAsOfDate.slice(0, 4)}-01-01`;

async function anchorSampleData(
  scope: CrmScope,
  db: Kysely<AnyDatabase>,
  options: DemoDataOptions,
): Promise<number> {
  const latest = await (await scope.from('opportunity'))
    .select('t.closeDate')
    .where('t.status', 'in', ['won', 'lost'])
    .where('t.externalId', 'like', 'maven:%')
    .orderBy('t.closeDate', 'desc')
    .limit(1)
    .executeTakeFirst();
  const closeDate: unknown = latest?.closeDate;
  const latestDay =
    closeDate instanceof Date
      ? closeDate.toISOString().slice(0, 10)
      : typeof closeDate === 'string'
        ? closeDate.slice(0, 10)
        : mavenAsOfDate;
  if (latestDay !== mavenAsOfDate) {
    // Shifted before: the months between the sample's own end and the data's end now.
    const monthIndex = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7));
    return monthIndex(latestDay) - monthIndex(mavenAsOfDate);
  }
  const anchor =
    options.anchorTo === undefined ? new Date().toISOString().slice(0, 10) : options.anchorTo;
  if (anchor === null) return 0;
  const months = anchorShiftMonths(mavenAsOfDate, anchor);
  await shiftTenantDates(db, options.types ?? { date: 'text' }, scope.tenantId, months);
  return months;
}

async function allOf<TRecord>(
  page: (cursor: { cursor?: string }) => Promise<{ items: TRecord[]; nextCursor: string | null }>,
): Promise<TRecord[]> {
  const all: TRecord[] = [];
  let cursor: string | null = null;
  do {
    const result: { items: TRecord[]; nextCursor: string | null } = await page(
      cursor === null ? {} : { cursor },
    );
    all.push(...result.items);
    cursor = result.nextCursor;
  } while (cursor !== null);
  return all;
}
