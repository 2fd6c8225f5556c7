// The discovered aftersales plugin is `aftersalesPlugin`, made with the default options.
import { defaultGrossMargin } from '@rapport/kpi-aftersales';

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

/** The cohort of the leads created in a period: what every lead KPI is a quotient of. */
export interface LeadMeasures {
  leads: number;
  /** Leads with a campaign (the ones that carry campaign cost). */
  campaignLeads: number;
  /** Actual cost (base currency) of the campaigns with leads in the period, each counted once. */
  cost: number;
  converted: number;
  /** Leads whose converted opportunity is won now, and those of them with a campaign. */
  won: number;
  campaignWon: number;
  /** Amount (base currency) of those won opportunities. */
  wonRevenue: number;
  /** Leads with a completed activity, and the sum of days to the first one. */
  contacted: number;
  daysToFirstActivity: number;
}

/**
 * Customers (accounts with an active counted contract) of a period with first day S, exclusive
 * end E and last day L: the cohort on S and what became of it on E, and the state on L.
 */
export interface CustomerMeasures {
  customersAtStart: number;
  churned: number;
  mrrAtStart: number;
  churnedMrr: number;
  contraction: number;
  expansion: number;
  /** Customers and MRR on L. */
  customers: number;
  mrr: number;
  /** Accounts with a contract started by L, and their contracts' revenue up to L. */
  lifetimeCustomers: number;
  lifetimeRevenue: number;
}

/** Accounts by their won opportunities closed before the period's end. */
export interface PurchaseMeasures {
  buyers: number;
  repeatBuyers: number;
  /** Buyers whose won line items span two or more product families. */
  crossBuyers: number;
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
  leads: Record<Bucket, LeadMeasures>;
  customers: Record<Bucket, CustomerMeasures>;
  purchases: Record<Bucket, PurchaseMeasures>;
  /** Months of each period, as predictive lifetime value counts them. */
  months: Record<Bucket, number>;
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
  'leads.newLeads',
  'leads.costPerLead',
  'leads.leadToOpportunityRate',
  'leads.leadToWonRate',
  'leads.timeToFirstActivity',
  'leads.costPerWonCustomer',
  'leads.revenuePerLead',
  'aftersales.churnRate',
  'aftersales.revenueChurn',
  'aftersales.grossRevenueRetention',
  'aftersales.netRevenueRetention',
  'aftersales.expansionRevenue',
  'aftersales.arpa',
  'aftersales.historicalLifetimeValue',
  'aftersales.predictiveLifetimeValue',
  'aftersales.repeatPurchaseRate',
  'aftersales.crossSellRate',
] as const;

/** A KPI id of the hand-written set. */
export type HandWrittenKpiId = (typeof handWrittenKpiIds)[number];

/**
 * The questions every hand-written implementation asks (its queries, or loops for the naive
 * way) and the KPIs each one serves. A question none of whose KPIs is on the dashboard (left out
 * by the probe) is not asked, so the hand-written side does no work Rapport does not do.
 * The breakdowns are always asked, as Rapport always evaluates them.
 */
export const questionKpis = {
  closed: [
    'closing.winRate',
    'closing.wonRevenue',
    'closing.averageDealSize',
    'closing.averageSalesCycle',
    'closing.quotaAttainment',
    'closing.lossReasons',
    'pipeline.coverage',
    'pipeline.salesVelocity',
  ],
  medianDeal: ['closing.medianDealSize'],
  medianCycle: ['closing.medianSalesCycle'],
  open: [
    'pipeline.openCount',
    'pipeline.openValue',
    'pipeline.weightedValue',
    'pipeline.salesVelocity',
  ],
  closing: ['pipeline.expectedCloseVolume', 'pipeline.coverage'],
  quota: ['closing.quotaAttainment', 'pipeline.coverage'],
  stages: ['pipeline.stageConversion', 'pipeline.averageTimeInStage'],
  unrealistic: ['pipeline.unrealisticPlanning'],
  // New leads and conversion need only counts of the leads; the other lead KPIs need each
  // lead's campaign cost share, won opportunity and first activity.
  leadCounts: ['leads.newLeads', 'leads.leadToOpportunityRate'],
  leads: [
    'leads.costPerLead',
    'leads.leadToWonRate',
    'leads.timeToFirstActivity',
    'leads.costPerWonCustomer',
    'leads.revenuePerLead',
  ],
  customers: handWrittenKpiIds.filter(
    (id) =>
      id.startsWith('aftersales.') &&
      id !== 'aftersales.repeatPurchaseRate' &&
      id !== 'aftersales.crossSellRate',
  ),
  purchases: ['aftersales.repeatPurchaseRate', 'aftersales.crossSellRate'],
} as const satisfies Record<string, readonly HandWrittenKpiId[]>;

/** A question of the hand-written implementations. */
export type Question = keyof typeof questionKpis;

/** Whether a query name is one of the {@link questionKpis} (the breakdown queries are not). */
export function isQuestion(name: string): name is Question {
  return Object.hasOwn(questionKpis, name);
}

/** Which questions the KPIs `ids` need answered (all of them when `ids` is omitted). */
export function questionsFor(ids?: Iterable<string>): (question: Question) => boolean {
  if (!ids) return () => true;
  const wanted = new Set(ids);
  return (question) => (questionKpis[question] as readonly string[]).some((id) => wanted.has(id));
}

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

export function emptyLeads(): LeadMeasures {
  return {
    leads: 0,
    campaignLeads: 0,
    cost: 0,
    converted: 0,
    won: 0,
    campaignWon: 0,
    wonRevenue: 0,
    contacted: 0,
    daysToFirstActivity: 0,
  };
}

export function emptyCustomers(): CustomerMeasures {
  return {
    customersAtStart: 0,
    churned: 0,
    mrrAtStart: 0,
    churnedMrr: 0,
    contraction: 0,
    expansion: 0,
    customers: 0,
    mrr: 0,
    lifetimeCustomers: 0,
    lifetimeRevenue: 0,
  };
}

export function emptyPurchases(): PurchaseMeasures {
  return { buyers: 0, repeatBuyers: 0, crossBuyers: 0 };
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
    leads: { c: emptyLeads(), p: emptyLeads() },
    customers: { c: emptyCustomers(), p: emptyCustomers() },
    purchases: { c: emptyPurchases(), p: emptyPurchases() },
    months: { c: 0, p: 0 },
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
  leadFigures(figures, m);
  customerFigures(figures, m);
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

/** The lead KPIs (packages/kpi-leads/src/lead-kpis.ts) from the cohort measures. */
function leadFigures(figures: Figures, m: DashboardMeasures): void {
  const both = (f: (l: LeadMeasures) => Figure) => [f(m.leads.c), f(m.leads.p)] as const;
  put(figures, 'leads.newLeads', ...both((l) => ({ value: l.leads, n: l.leads })));
  put(
    figures,
    'leads.costPerLead',
    ...both((l) => ({ value: divide(l.cost, l.campaignLeads), n: l.campaignLeads })),
  );
  put(
    figures,
    'leads.leadToOpportunityRate',
    ...both((l) => ({ value: divide(l.converted, l.leads), n: l.leads })),
  );
  put(
    figures,
    'leads.leadToWonRate',
    ...both((l) => ({ value: divide(l.won, l.leads), n: l.leads })),
  );
  put(
    figures,
    'leads.timeToFirstActivity',
    ...both((l) => ({ value: divide(l.daysToFirstActivity, l.contacted), n: l.contacted })),
  );
  put(
    figures,
    'leads.costPerWonCustomer',
    ...both((l) => ({ value: divide(l.cost, l.campaignWon), n: l.campaignLeads })),
  );
  put(
    figures,
    'leads.revenuePerLead',
    ...both((l) => ({ value: divide(l.wonRevenue, l.leads), n: l.leads })),
  );
}

/** The aftersales KPIs (packages/kpi-aftersales/src/*-kpis.ts) from the customer measures. */
function customerFigures(figures: Figures, m: DashboardMeasures): void {
  const both = (f: (c: CustomerMeasures, b: Bucket) => Figure) =>
    [f(m.customers.c, 'c'), f(m.customers.p, 'p')] as const;
  const cohort = (c: CustomerMeasures, value: number | null) => ({
    value,
    n: c.customersAtStart,
  });
  put(
    figures,
    'aftersales.churnRate',
    ...both((c) => cohort(c, divide(c.churned, c.customersAtStart))),
  );
  put(
    figures,
    'aftersales.revenueChurn',
    ...both((c) => cohort(c, divide(c.churnedMrr + c.contraction, c.mrrAtStart))),
  );
  put(
    figures,
    'aftersales.grossRevenueRetention',
    ...both((c) => cohort(c, divide(c.mrrAtStart - c.churnedMrr - c.contraction, c.mrrAtStart))),
  );
  put(
    figures,
    'aftersales.netRevenueRetention',
    ...both((c) =>
      cohort(c, divide(c.mrrAtStart - c.churnedMrr - c.contraction + c.expansion, c.mrrAtStart)),
    ),
  );
  put(figures, 'aftersales.expansionRevenue', ...both((c) => cohort(c, c.expansion)));
  put(
    figures,
    'aftersales.arpa',
    ...both((c) => ({ value: divide(c.mrr, c.customers), n: c.customers })),
  );
  put(
    figures,
    'aftersales.historicalLifetimeValue',
    ...both((c) => ({
      value: divide(c.lifetimeRevenue, c.lifetimeCustomers),
      n: c.lifetimeCustomers,
    })),
  );
  put(
    figures,
    'aftersales.predictiveLifetimeValue',
    ...both((c, b) =>
      cohort(
        c,
        c.customers === 0 || c.customersAtStart === 0 || c.churned === 0
          ? null
          : ((c.mrr / c.customers) * defaultGrossMargin * m.months[b]) /
              (c.churned / c.customersAtStart),
      ),
    ),
  );
  const purchases = (f: (p: PurchaseMeasures) => number) =>
    [
      { value: divide(f(m.purchases.c), m.purchases.c.buyers), n: m.purchases.c.buyers },
      { value: divide(f(m.purchases.p), m.purchases.p.buyers), n: m.purchases.p.buyers },
    ] as const;
  put(figures, 'aftersales.repeatPurchaseRate', ...purchases((p) => p.repeatBuyers));
  put(figures, 'aftersales.crossSellRate', ...purchases((p) => p.crossBuyers));
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
