import type { CrmScope } from '@rapport/core';
import { at } from '../math/checked.js';
import { listAll } from '../store/list-all.js';

/** A day as a whole number of days since 1970-01-01 (UTC). */
export type DayNumber = number;

/** `YYYY-MM-DD` (or an ISO time) to a day number. */
export function dayNumber(day: string): DayNumber {
  return Math.floor(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}

/** A day number back to `YYYY-MM-DD`. */
export function dayString(day: DayNumber): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** One recorded change of a deal (stage history row). */
export interface DealChange {
  readonly day: DayNumber;
  readonly stage: string;
  readonly status: 'open' | 'won' | 'lost';
  readonly amount: number | null;
  readonly closeDate: DayNumber;
  readonly previousCloseDate: DayNumber | null;
}

/** Everything the deal model and the forecast need of one opportunity. */
export interface DealTimeline {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly teamId: string | null;
  readonly productId: string | null;
  readonly pipelineId: string;
  /** Amount in minor units of the base currency (now). */
  readonly amount: number;
  readonly openDay: DayNumber;
  readonly closeDay: DayNumber;
  readonly status: 'open' | 'won' | 'lost';
  readonly stage: string;
  readonly forecastCategory: string;
  readonly probability: number;
  /** Stage history, oldest first. */
  readonly changes: readonly DealChange[];
  /** Days of the deal's activities (completed, else created), sorted. */
  readonly activityDays: readonly DayNumber[];
}

/** The stages of a pipeline in order, with their default probability (0-100). */
export interface PipelineInfo {
  readonly stages: readonly {
    readonly name: string;
    readonly probability: number;
    readonly status: 'open' | 'won' | 'lost';
    readonly forecastCategory: string;
  }[];
}

/** The deals the scope sees, with their history, activities, main product and owner's team. */
export interface DealHistory {
  readonly deals: readonly DealTimeline[];
  readonly pipelines: ReadonlyMap<string, PipelineInfo>;
  readonly baseCurrency: string;
  readonly ownerNames: ReadonlyMap<string, string>;
  readonly teamNames: ReadonlyMap<string, string>;
  readonly productNames: ReadonlyMap<string, string>;
}

/**
 * Reads every visible opportunity with its stage history, activities and line items through the
 * scope's lists (tenant and visibility apply), amounts converted to the base currency with the
 * tenant's current rates.
 *
 * @example
 * const history = await loadDealHistory(scope);
 */
export async function loadDealHistory(scope: CrmScope): Promise<DealHistory> {
  const page = { limit: 1000 } as const;
  const [
    tenant,
    rates,
    opportunities,
    changes,
    activities,
    lines,
    pipelines,
    users,
    teams,
    products,
  ] = await Promise.all([
    scope.settings(),
    scope.currencies.rates(),
    listAll((cursor) => scope.opportunities.list({ ...page, cursor })),
    listAll((cursor) => scope.stageHistory.list({ ...page, cursor })),
    listAll((cursor) =>
      scope.activities.list({ ...page, cursor, where: { opportunityId: { isNull: false } } }),
    ),
    listAll((cursor) => scope.lineItems.list({ ...page, cursor })),
    listAll((cursor) => scope.pipelines.list({ ...page, cursor })),
    listAll((cursor) => scope.users.list({ ...page, cursor })),
    listAll((cursor) => scope.teams.list({ ...page, cursor })),
    listAll((cursor) => scope.products.list({ ...page, cursor })),
  ]);
  const rate = new Map(rates.map((r) => [r.currency, r.rate]));
  const toBase = (amount: number | null, currency: string) =>
    amount === null
      ? 0
      : currency === tenant.baseCurrency
        ? amount
        : amount * (rate.get(currency) ?? 0);
  const changesOf = new Map<string, DealChange[]>();
  for (const c of changes) {
    const list = changesOf.get(c.opportunityId) ?? [];
    list.push({
      day: dayNumber(c.createdAt),
      stage: c.stage,
      status: c.status,
      amount: c.amount === null ? null : toBase(c.amount, c.currency),
      closeDate: dayNumber(c.closeDate),
      previousCloseDate: c.previousCloseDate === null ? null : dayNumber(c.previousCloseDate),
    });
    changesOf.set(c.opportunityId, list);
  }
  const activityDays = new Map<string, DayNumber[]>();
  for (const a of activities) {
    if (!a.opportunityId) continue;
    const list = activityDays.get(a.opportunityId) ?? [];
    list.push(dayNumber(a.completedAt ?? a.createdAt));
    activityDays.set(a.opportunityId, list);
  }
  // The main product: the line with the largest total.
  const product = new Map<string, { id: string; total: number }>();
  for (const line of lines) {
    const total = line.totalPrice ?? 0;
    const current = product.get(line.opportunityId);
    if (!current || total > current.total)
      product.set(line.opportunityId, { id: line.productId, total });
  }
  const teamOf = new Map(users.map((u) => [u.id, u.teamId]));
  const deals: DealTimeline[] = opportunities.map((o) => ({
    id: o.id,
    name: o.name,
    ownerId: o.ownerId,
    teamId: teamOf.get(o.ownerId) ?? null,
    productId: product.get(o.id)?.id ?? null,
    pipelineId: o.pipelineId,
    amount: toBase(o.amount, o.currency),
    openDay: dayNumber(o.openDate),
    closeDay: dayNumber(o.closeDate),
    status: o.status,
    stage: o.stage,
    forecastCategory: o.forecastCategory,
    probability: o.probability,
    changes: (changesOf.get(o.id) ?? []).sort((a, b) => a.day - b.day),
    activityDays: (activityDays.get(o.id) ?? []).sort((a, b) => a - b),
  }));
  return {
    deals,
    pipelines: new Map(pipelines.map((p) => [p.id, { stages: p.stages }])),
    baseCurrency: tenant.baseCurrency,
    ownerNames: new Map(users.map((u) => [u.id, u.name])),
    teamNames: new Map(teams.map((t) => [t.id, t.name])),
    productNames: new Map(products.map((p) => [p.id, p.name])),
  };
}

/** A deal as it stood at the start of a day. */
export interface DealState {
  readonly stage: string;
  readonly stageProbability: number;
  readonly forecastCategory: string;
  /** The day it entered that stage. */
  readonly stageSince: DayNumber;
  /** The close date it had then; null when the history does not say. */
  readonly closeDay: DayNumber | null;
  readonly amount: number;
  /**
   * The amount as recorded by then, for the model's features; null when no history row says and
   * the deal has closed since: its final amount may have been set by the outcome (some systems
   * write 0 on a lost deal), as its close date is.
   */
  readonly recordedAmount: number | null;
  /** How often the close date had moved later by then. */
  readonly slips: number;
  readonly lastActivity: DayNumber | null;
}

/**
 * The deal as it stood at the start of `day`, or null when it was not open then (not yet
 * opened, or already closed). The stage comes from the last history row before the day; a deal
 * without one (imported with only its final state) is taken to have been in its pipeline's last
 * open stage if it closed later, or its current stage if it is still open.
 */
export function dealStateAt(
  deal: DealTimeline,
  pipeline: PipelineInfo | undefined,
  day: DayNumber,
): DealState | null {
  if (deal.openDay >= day) return null;
  if (deal.status !== 'open' && deal.closeDay < day) return null;
  const before = deal.changes.filter((c) => c.day < day);
  const last = before.at(-1);
  if (last && last.status !== 'open') return null;
  const openStages = pipeline?.stages.filter((s) => s.status === 'open') ?? [];
  const stageName =
    last?.stage ?? (deal.status === 'open' ? deal.stage : (openStages.at(-1)?.name ?? deal.stage));
  const stage = pipeline?.stages.find((s) => s.name === stageName);
  let since = deal.openDay;
  for (let i = before.length - 1; i >= 0; i--) {
    if (at(before, i).stage !== stageName) break;
    since = Math.max(deal.openDay, at(before, i).day);
  }
  const slips = before.filter(
    (c) => c.previousCloseDate !== null && c.closeDate > c.previousCloseDate,
  ).length;
  const activities = deal.activityDays.filter((d) => d < day);
  return {
    stage: stageName,
    stageProbability: (stage?.probability ?? deal.probability) / 100,
    forecastCategory: stage?.forecastCategory ?? deal.forecastCategory,
    stageSince: since,
    closeDay: last ? last.closeDate : deal.status === 'open' ? deal.closeDay : null,
    amount: last?.amount ?? deal.amount,
    recordedAmount: last?.amount ?? (last || deal.status === 'open' ? deal.amount : null),
    slips,
    lastActivity: activities.at(-1) ?? null,
  };
}
