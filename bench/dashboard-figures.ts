/**
 * The dashboard's figures as a flat map, so Rapport, hand-written SQL, DuckDB and the naive
 * JavaScript reduction can be compared number by number:
 * `closing.winRate` (value), `closing.winRate#n` (sample size), `closing.winRate@prev` (previous
 * period), and `owner/closing.winRate/<key>` for breakdowns.
 */
export type Figures = Map<string, number | null>;

/** c = the evaluated period, p = the previous one. */
export type Bucket = 'c' | 'p';
export const buckets: readonly Bucket[] = ['c', 'p'];

/** Measures of the deals closed in a period. */
export interface ClosedMeasures {
  won: number;
  lost: number;
  /** Sum of won amounts in the base currency (0 without won deals). */
  wonAmount: number;
  /** Sum and count of (close date - open date) in days. */
  cycleSum: number;
  cycleN: number;
  medianDeal: number | null;
  medianCycle: number | null;
}

/** Measures of one breakdown group (an owner or a product). */
export interface GroupMeasures {
  label: string | null;
  won: Record<Bucket, number>;
  lost: Record<Bucket, number>;
  openCount: number;
  openAmount: number;
}

/** What every non-Rapport implementation computes; the figures follow from it by one function. */
export interface DashboardMeasures {
  closed: Record<Bucket, ClosedMeasures>;
  open: { count: number; amount: number; weighted: number };
  /** Open deals with a close date in the period. */
  closing: Record<Bucket, { count: number; amount: number }>;
  quota: Record<Bucket, number>;
  stageConversion: Record<Bucket, { entered: number; advanced: number }>;
  timeInStage: Record<Bucket, { stays: number; days: number }>;
  unrealistic: number;
  byOwner: Map<string | null, GroupMeasures>;
  byProduct: Map<string | null, GroupMeasures>;
}

/** The KPI ids whose figures {@link figuresFromMeasures} computes (the hand-written set). */
export const handWrittenKpiIds = [
  'closing.winRate',
  'closing.wonRevenue',
  'closing.averageDealSize',
  'closing.medianDealSize',
  'closing.averageSalesCycle',
  'closing.medianSalesCycle',
  'closing.quotaAttainment',
  'closing.lossReasons',
  'pipeline.openCount',
  'pipeline.openValue',
  'pipeline.weightedValue',
  'pipeline.expectedCloseVolume',
  'pipeline.coverage',
  'pipeline.stageConversion',
  'pipeline.averageTimeInStage',
  'pipeline.salesVelocity',
  'pipeline.unrealisticPlanning',
] as const;

/** The KPIs broken down by owner and by product. */
export const breakdownKpiIds = ['closing.winRate', 'pipeline.openValue'] as const;

export function emptyClosed(): ClosedMeasures {
  return {
    won: 0,
    lost: 0,
    wonAmount: 0,
    cycleSum: 0,
    cycleN: 0,
    medianDeal: null,
    medianCycle: null,
  };
}

export function emptyMeasures(): DashboardMeasures {
  return {
    closed: { c: emptyClosed(), p: emptyClosed() },
    open: { count: 0, amount: 0, weighted: 0 },
    closing: { c: { count: 0, amount: 0 }, p: { count: 0, amount: 0 } },
    quota: { c: 0, p: 0 },
    stageConversion: { c: { entered: 0, advanced: 0 }, p: { entered: 0, advanced: 0 } },
    timeInStage: { c: { stays: 0, days: 0 }, p: { stays: 0, days: 0 } },
    unrealistic: 0,
    byOwner: new Map(),
    byProduct: new Map(),
  };
}

/** The group of a key, created empty on first use. */
export function groupOf(
  groups: Map<string | null, GroupMeasures>,
  key: string | null,
  label: string | null = null,
): GroupMeasures {
  let group = groups.get(key);
  if (!group) {
    group = { label, won: { c: 0, p: 0 }, lost: { c: 0, p: 0 }, openCount: 0, openAmount: 0 };
    groups.set(key, group);
  }
  if (label !== null) group.label = label;
  return group;
}

const divide = (a: number, b: number): number | null => (b === 0 ? null : a / b);

interface Figure {
  readonly value: number | null;
  readonly n: number;
}

function put(figures: Figures, key: string, current: Figure, previous?: Figure): void {
  figures.set(key, current.value);
  figures.set(`${key}#n`, current.n);
  if (previous) {
    figures.set(`${key}@prev`, previous.value);
    figures.set(`${key}@prev#n`, previous.n);
  }
}

/** The figures of the hand-written KPI set, by the KPIs' documented formulas. */
export function figuresFromMeasures(m: DashboardMeasures): Figures {
  const figures: Figures = new Map();
  const both = (f: (b: Bucket) => Figure) => [f('c'), f('p')] as const;
  const closed = (b: Bucket) => m.closed[b];
  put(
    figures,
    'closing.winRate',
    ...both((b) => ({
      value: divide(closed(b).won, closed(b).won + closed(b).lost),
      n: closed(b).won + closed(b).lost,
    })),
  );
  put(
    figures,
    'closing.wonRevenue',
    ...both((b) => ({ value: closed(b).wonAmount, n: closed(b).won })),
  );
  put(
    figures,
    'closing.averageDealSize',
    ...both((b) => ({ value: divide(closed(b).wonAmount, closed(b).won), n: closed(b).won })),
  );
  put(
    figures,
    'closing.medianDealSize',
    ...both((b) => ({ value: closed(b).medianDeal, n: closed(b).won })),
  );
  put(
    figures,
    'closing.averageSalesCycle',
    ...both((b) => ({
      value: divide(closed(b).cycleSum, closed(b).cycleN),
      n: closed(b).won + closed(b).lost,
    })),
  );
  put(
    figures,
    'closing.medianSalesCycle',
    ...both((b) => ({ value: closed(b).medianCycle, n: closed(b).won + closed(b).lost })),
  );
  put(
    figures,
    'closing.quotaAttainment',
    ...both((b) => ({ value: divide(closed(b).wonAmount, m.quota[b]), n: closed(b).won })),
  );
  put(
    figures,
    'closing.lossReasons',
    ...both((b) => ({ value: closed(b).lost, n: closed(b).lost })),
  );
  put(figures, 'pipeline.openCount', { value: m.open.count, n: m.open.count });
  put(figures, 'pipeline.openValue', { value: m.open.amount, n: m.open.count });
  put(figures, 'pipeline.weightedValue', { value: m.open.weighted / 100, n: m.open.count });
  put(
    figures,
    'pipeline.expectedCloseVolume',
    ...both((b) => ({ value: m.closing[b].amount, n: m.closing[b].count })),
  );
  put(
    figures,
    'pipeline.coverage',
    ...both((b) => {
      const remaining = m.quota[b] - closed(b).wonAmount;
      const value = m.quota[b] === 0 || remaining <= 0 ? null : m.closing[b].amount / remaining;
      return { value, n: m.closing[b].count };
    }),
  );
  put(
    figures,
    'pipeline.stageConversion',
    ...both((b) => ({
      value: divide(m.stageConversion[b].advanced, m.stageConversion[b].entered),
      n: m.stageConversion[b].entered,
    })),
  );
  put(
    figures,
    'pipeline.averageTimeInStage',
    ...both((b) => ({
      value: divide(m.timeInStage[b].days, m.timeInStage[b].stays),
      n: m.timeInStage[b].stays,
    })),
  );
  put(
    figures,
    'pipeline.salesVelocity',
    ...both((b) => {
      const { won, lost, wonAmount, cycleSum, cycleN } = closed(b);
      const cycle = divide(cycleSum, cycleN);
      const value =
        won === 0 || cycle === null || cycle <= 0
          ? null
          : (m.open.count * (wonAmount / won) * (won / (won + lost))) / cycle;
      return { value, n: won + lost };
    }),
  );
  put(figures, 'pipeline.unrealisticPlanning', { value: m.unrealistic, n: m.unrealistic });
  for (const [dimension, groups] of [
    ['owner', m.byOwner],
    ['product', m.byProduct],
  ] as const) {
    for (const [key, g] of groups) {
      const name = key ?? 'null';
      // A group is listed when one of the KPI's measures is not zero in the period.
      if (g.won.c !== 0 || g.lost.c !== 0) {
        put(
          figures,
          `${dimension}/closing.winRate/${name}`,
          { value: divide(g.won.c, g.won.c + g.lost.c), n: g.won.c + g.lost.c },
          { value: divide(g.won.p, g.won.p + g.lost.p), n: g.won.p + g.lost.p },
        );
      }
      if (g.openCount !== 0 || g.openAmount !== 0) {
        put(figures, `${dimension}/pipeline.openValue/${name}`, {
          value: g.openAmount,
          n: g.openCount,
        });
      }
    }
  }
  return figures;
}

/** The shape of a Rapport KPI result this module reads. */
interface ResultLike {
  readonly value: number | null;
  readonly sampleSize: number;
  readonly previous: { readonly value: number | null; readonly sampleSize: number } | null;
  readonly breakdown: readonly (ResultLike & { readonly key: string | null })[] | null;
}

function putResult(figures: Figures, key: string, result: ResultLike): void {
  put(
    figures,
    key,
    { value: result.value, n: result.sampleSize },
    result.previous ? { value: result.previous.value, n: result.previous.sampleSize } : undefined,
  );
}

/** The figures of Rapport's results: totals, and breakdowns under `dimension/`. */
export function figuresFromResults(
  results: Readonly<Record<string, ResultLike>>,
  dimension?: string,
  figures: Figures = new Map(),
): Figures {
  for (const [id, result] of Object.entries(results)) {
    if (!dimension) putResult(figures, id, result);
    else
      for (const group of result.breakdown ?? [])
        putResult(figures, `${dimension}/${id}/${group.key ?? 'null'}`, group);
  }
  return figures;
}

/** A figure that differs between two implementations. */
export interface Mismatch {
  readonly key: string;
  readonly expected: number | null | undefined;
  readonly actual: number | null | undefined;
}

/**
 * The figures of `actual` that differ from `expected` (relative tolerance for floating sums in
 * another order), over the keys of KPIs both cover.
 */
export function compareFigures(
  expected: Figures,
  actual: Figures,
  covered: (key: string) => boolean,
  tolerance = 1e-7,
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  for (const key of [...keys].sort()) {
    if (!covered(key)) continue;
    const a = expected.get(key);
    const b = actual.get(key);
    const same =
      a === b ||
      (typeof a === 'number' &&
        typeof b === 'number' &&
        Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b)));
    if (!same) mismatches.push({ key, expected: a, actual: b });
  }
  return mismatches;
}

/** The KPI id of a figure key. */
export function kpiIdOfKey(key: string): string {
  const parts = key.split('/');
  const id = parts.length >= 3 ? parts[1]! : parts[0]!;
  return id.replace(/[#@].*$/, '');
}
