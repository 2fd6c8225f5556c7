import { at } from '../math/checked.js';
import { median } from '../math/random.js';
import {
  type DayNumber,
  type DealHistory,
  type DealTimeline,
  dealStateAt,
} from './deal-timeline.js';

/** What the closed deals before a day teach: norms and rates the deal features compare with. */
export interface DealContext {
  readonly asOf: DayNumber;
  /** Deals closed before `asOf`. */
  readonly closed: readonly DealTimeline[];
  /** Median days won deals spent per stage. */
  readonly wonStageDays: ReadonlyMap<string, number>;
  /** Cycle lengths (close - open, days) of won deals, sorted. */
  readonly wonCycles: readonly number[];
  /** Median won amount per owner, and over all won deals. */
  readonly ownerWonAmount: ReadonlyMap<string, number>;
  readonly wonAmount: number | null;
  /** Wins and closed deals per owner and per product. */
  readonly ownerRecord: ReadonlyMap<string, { readonly won: number; readonly closed: number }>;
  readonly productRecord: ReadonlyMap<string, { readonly won: number; readonly closed: number }>;
  readonly winRate: number;
}

function record(
  map: Map<string, { won: number; closed: number }>,
  key: string | null,
  won: boolean,
) {
  if (key === null) return;
  const entry = map.get(key) ?? { won: 0, closed: 0 };
  entry.closed++;
  if (won) entry.won++;
  map.set(key, entry);
}

/** Days a closed deal spent per stage, from its history (the whole cycle in one stage without it). */
function stageDays(deal: DealTimeline, history: DealHistory): Map<string, number> {
  const days = new Map<string, number>();
  const rows = deal.changes.filter((c) => c.day <= deal.closeDay);
  if (rows.length <= 1) {
    const state = dealStateAt(deal, history.pipelines.get(deal.pipelineId), deal.closeDay);
    if (state) days.set(state.stage, deal.closeDay - deal.openDay);
    return days;
  }
  for (let i = 0; i + 1 < rows.length; i++) {
    const row = at(rows, i);
    if (row.status !== 'open') continue;
    const from = Math.max(row.day, deal.openDay);
    days.set(row.stage, (days.get(row.stage) ?? 0) + Math.max(0, at(rows, i + 1).day - from));
  }
  return days;
}

/**
 * The context as of a day: only deals closed before it, so a backtest never sees the future.
 *
 * @example
 * const context = dealContext(history, dayNumber('2017-04-01'));
 */
export function dealContext(history: DealHistory, asOf: DayNumber): DealContext {
  const closed = history.deals.filter((d) => d.status !== 'open' && d.closeDay < asOf);
  const won = closed.filter((d) => d.status === 'won');
  const perStage = new Map<string, number[]>();
  for (const deal of won) {
    for (const [stage, days] of stageDays(deal, history)) {
      const list = perStage.get(stage) ?? [];
      list.push(days);
      perStage.set(stage, list);
    }
  }
  const amounts = new Map<string, number[]>();
  for (const deal of won) {
    const list = amounts.get(deal.ownerId) ?? [];
    list.push(deal.amount);
    amounts.set(deal.ownerId, list);
  }
  const ownerRecord = new Map<string, { won: number; closed: number }>();
  const productRecord = new Map<string, { won: number; closed: number }>();
  for (const deal of closed) {
    record(ownerRecord, deal.ownerId, deal.status === 'won');
    record(productRecord, deal.productId, deal.status === 'won');
  }
  return {
    asOf,
    closed,
    wonStageDays: new Map([...perStage].map(([stage, days]) => [stage, median(days) ?? 0])),
    wonCycles: won.map((d) => d.closeDay - d.openDay).sort((a, b) => a - b),
    ownerWonAmount: new Map([...amounts].map(([owner, list]) => [owner, median(list) ?? 0])),
    wonAmount: median(won.map((d) => d.amount)),
    ownerRecord,
    productRecord,
    winRate: closed.length > 0 ? won.length / closed.length : 0.5,
  };
}

/** First index of a sorted array whose value is greater than `value`. */
function upperBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (at(sorted, mid) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The chance that a deal now `age` days old, if it is won, closes within `horizon` days: among
 * won deals that lasted longer than `age`, the share that closed by `age + horizon` (the
 * empirical close-date distribution). Without any won deal yet there is nothing to go by and
 * the close is taken to fall inside the period (1); a deal older than every won deal was is not
 * expected to be won in the period (0).
 */
export function closeWithin(context: DealContext, age: number, horizon: number): number {
  const cycles = context.wonCycles;
  if (cycles.length === 0) return 1;
  const longer = cycles.length - upperBound(cycles, age);
  if (longer === 0) return 0;
  const within = upperBound(cycles, age + horizon) - upperBound(cycles, age);
  return within / longer;
}

/** The median remaining days of won deals that were older than `age` (null without any). */
export function typicalRemaining(context: DealContext, age: number): number | null {
  const cycles = context.wonCycles;
  return median(cycles.slice(upperBound(cycles, age)).map((c) => c - age));
}
