import type { AnyDatabase, CrmScope } from '@rapport/core';
import {
  generateCrmData,
  generateStageHistory,
  type HistoryStage,
  importMavenCrm,
  insertGeneratedData,
  mavenAsOfDate,
} from '@rapport/sample-data';
import type { Kysely } from 'kysely';

/** Options of {@link loadDemoData}. */
export interface DemoDataOptions {
  /** Seed of the generated part. */
  readonly seed: number;
  /** Generated leads. */
  readonly leads?: number;
  /** Progress messages. */
  readonly log?: (message: string) => void;
}

/** What the demo database holds. */
export interface DemoDataSummary {
  readonly mavenImported: boolean;
  readonly generated: Readonly<Record<string, number>>;
  /** The period the report shows: the last year of the sample data. */
  readonly period: string;
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
  const year = Number(mavenAsOfDate.slice(0, 4));
  let mavenImported = false;
  if (!(await scope.pipelines.findByExternalId('maven:pipeline'))) {
    log('loading the Maven CRM sample data (8,800 opportunities; once)...');
    await importMavenCrm(scope, { currency: (await scope.settings()).baseCurrency });
    mavenImported = true;
  }
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
      start: `${year - 1}-01-01`,
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
      asOf: mavenAsOfDate,
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
  return { mavenImported, generated, period: String(year) };
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
