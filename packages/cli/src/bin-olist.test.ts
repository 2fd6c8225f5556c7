import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, test } from 'vitest';
import { bin, ok, type Rapport, rapportIn } from './test-binary.js';

// A real lead funnel end to end, through the built binary only: Olist's marketing qualified leads
// (with their lead source and first contact date) and the closed deals they became (CC BY-NC-SA
// 4.0, see fixtures/olist-funnel/README.md), imported with the commands a user types and no
// preprocessing. Every figure is computed here from the two CSV files.
const fixture = fileURLToPath(new URL('../fixtures/olist-funnel/', import.meta.url));
const mqlFile = 'olist_marketing_qualified_leads_dataset.csv';
const dealFile = 'olist_marketing_closed_deals_dataset.csv';

interface KpiJson {
  readonly value: number | null;
  readonly sampleSize: number;
  readonly breakdown?: readonly { key: string | null; value: number | null; sampleSize: number }[];
}

async function kpi(run: Rapport, ...args: string[]): Promise<Record<string, KpiJson>> {
  return JSON.parse(await ok(run, 'kpi', ...args, '--json')) as Record<string, KpiJson>;
}

/** Every step a user types after `cp -r fixtures/olist-funnel my-project && cd my-project`. */
async function importFunnel(run: Rapport): Promise<string> {
  return [
    await ok(run, 'import', 'users', 'users.csv'),
    await ok(run, 'import', 'leads', mqlFile, '--mapping', 'olist-mqls', '--history'),
    await ok(run, 'import', 'opportunities', dealFile, '--mapping', 'olist-deals', '--history'),
  ].join('');
}

async function funnelFigures(run: Rapport) {
  const all = await kpi(
    run,
    'leads.leadToWonRate',
    'leads.leadToOpportunityRate',
    '--period',
    'all',
  );
  const bySource = (await kpi(run, 'leads.leadToWonRate', '--period', 'all', '--by', 'leadSource'))[
    'leads.leadToWonRate'
  ];
  return {
    won: all['leads.leadToWonRate'],
    opportunity: all['leads.leadToOpportunityRate'],
    bySource: Object.fromEntries(
      (bySource?.breakdown ?? []).map((g) => [String(g.key), { value: g.value, n: g.sampleSize }]),
    ),
  };
}

type Row = Record<string, string>;
const read = (file: string) => parse(readFileSync(join(fixture, file)), { columns: true }) as Row[];
const mqls = read(mqlFile);
const deals = read(dealFile);
const wonIds = new Set(deals.map((d) => d.mql_id));
/** `dd-MM-yyyy` or `dd-MM-yyyy HH:mm` as written in the files, read as UTC (the tenant's zone). */
function instant(text: string | undefined): string {
  const [, day, month, year, time = '00:00'] =
    /^(\d\d)-(\d\d)-(\d{4})(?: (\d\d:\d\d))?$/.exec(text ?? '') ?? [];
  return new Date(`${year}-${month}-${day}T${time}:00Z`).toISOString();
}
const sourceOf = (r: Row) => (r.origin === '' ? null : (r.origin ?? null));
const monthOf = (r: Row) => instant(r.first_contact_date).slice(0, 7);

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build with npm run build`);
});

describe('Olist marketing funnel: leads, their source and the deals they became', {
  timeout: 900_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-olist-'));
  cpSync(fixture, dir, { recursive: true });
  const run = rapportIn(dir);
  let firstImport = '';
  beforeAll(async () => {
    firstImport = await importFunnel(run);
  }, 900_000);

  test('the subsample: every kept deal belongs to one of the leads, none twice', () => {
    expect(mqls).toHaveLength(2500);
    expect(new Set(mqls.map((r) => r.mql_id)).size).toBe(mqls.length);
    expect(wonIds.size).toBe(deals.length);
    const leadIds = new Set(mqls.map((r) => r.mql_id));
    expect(deals.every((d) => leadIds.has(d.mql_id))).toBe(true);
    const contact = new Map(mqls.map((r) => [r.mql_id, instant(r.first_contact_date)]));
    expect(deals.filter((d) => instant(d.won_date) < (contact.get(d.mql_id) ?? ''))).toEqual([]);
    expect(firstImport).toContain(`${mqls.length} rows, ${mqls.length} created`);
    expect(firstImport).toContain(`${deals.length} rows, ${deals.length} created`);
    expect(firstImport).toContain(`${deals.length} leads converted`);
  });

  test('conversion overall and by lead source as the CSV says; importing twice changes nothing', async () => {
    const rate = deals.length / mqls.length;
    const sources = [...new Set(mqls.map(sourceOf))];
    const expectedBySource = Object.fromEntries(
      sources.map((source) => {
        const group = mqls.filter((r) => sourceOf(r) === source);
        const won = group.filter((r) => wonIds.has(r.mql_id ?? '')).length;
        return [String(source), { value: won / group.length, n: group.length }];
      }),
    );
    const first = await funnelFigures(run);
    expect(first.won).toMatchObject({ value: rate, sampleSize: mqls.length });
    // Every deal came from a lead and was won: as many opportunities as customers.
    expect(first.opportunity).toMatchObject({ value: rate, sampleSize: mqls.length });
    expect(first.bySource).toEqual(expectedBySource);

    const again = await importFunnel(run);
    expect(again).toContain(`${mqls.length} rows, 0 created, ${mqls.length} existing`);
    expect(again).toContain(`${deals.length} rows, 0 created, ${deals.length} existing`);
    expect(again).not.toContain('leads converted');
    expect(await funnelFigures(run)).toEqual(first);
  });

  test('new leads of a month, and each converted lead converted on its deal’s won date', async () => {
    for (const month of [monthOf(mqls[0] as Row), '2017-06', '2018-05']) {
      const created = mqls.filter((r) => monthOf(r) === month).length;
      const result = (await kpi(run, 'leads.newLeads', '--period', month))['leads.newLeads'];
      expect(result).toMatchObject({ value: created, sampleSize: created });
    }
    const exported = JSON.parse(await ok(run, 'export', 'leads', '--format', 'json')) as {
      externalId: string;
      createdAt: string;
      convertedAt: string | null;
      convertedOpportunityId: string | null;
    }[];
    const wonAt = new Map(deals.map((d) => [d.mql_id, instant(d.won_date)]));
    const createdAt = new Map(mqls.map((r) => [r.mql_id, instant(r.first_contact_date)]));
    expect(exported).toHaveLength(mqls.length);
    for (const lead of exported) {
      expect(lead.createdAt).toBe(createdAt.get(lead.externalId));
      expect(lead.convertedAt).toBe(wonAt.get(lead.externalId) ?? null);
      expect(lead.convertedOpportunityId !== null).toBe(wonAt.has(lead.externalId));
    }
  });

  test('lead scoring: trained on the older three quarters by created date, measured on the newer quarter, next to the source-rate baseline', async () => {
    interface Metrics {
      readonly cases: number;
      readonly positives: number;
      readonly auc: number;
      readonly logLoss: number;
      readonly brier: number;
      readonly ece: number;
      readonly calibration: readonly {
        bin: number;
        count: number;
        predicted: number;
        observed: number;
      }[];
    }
    const evaluation = JSON.parse(await ok(run, 'score', 'leads', '--evaluate', '--json')) as {
      status: string;
      train: { cases: number; conversions: number; to: string };
      test: { cases: number; conversions: number; from: string };
      model: Metrics;
      baseline: Metrics;
    };
    // Every lead is labelled (converted, or still open 90 days after its first contact).
    const cut = Math.floor(mqls.length * 0.75);
    expect(evaluation.status).toBe('evaluated');
    expect(evaluation.train.cases).toBe(cut);
    expect(evaluation.test.cases).toBe(mqls.length - cut);
    expect(evaluation.train.conversions + evaluation.test.conversions).toBe(deals.length);
    expect(evaluation.test.from >= evaluation.train.to).toBe(true);
    expect(evaluation.model.auc).toBeGreaterThan(0.5);
    expect(evaluation.model.calibration.reduce((n, b) => n + b.count, 0)).toBe(
      evaluation.test.cases,
    );

    // The baseline recomputed: the leads in created order (ties by record id, as exported), the
    // conversion rate of each source in the older part with two pseudo-leads at the overall rate.
    const exported = JSON.parse(await ok(run, 'export', 'leads', '--format', 'json')) as {
      id: string;
      externalId: string;
      createdAt: string;
      leadSource: string | null;
    }[];
    const ordered = [...exported].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    );
    const label = (l: { externalId: string }) => (wonIds.has(l.externalId) ? 1 : 0);
    const train = ordered.slice(0, cut);
    const held = ordered.slice(cut);
    const overall = train.filter((l) => label(l) === 1).length / train.length;
    const rateOf = (source: string | null) => {
      const seen = train.filter((l) => l.leadSource === source);
      // A source the older part never saw gets the overall counts.
      const group = seen.length > 0 ? seen : train;
      const won = group.filter((l) => label(l) === 1).length;
      return (won + 2 * overall) / (group.length + 2);
    };
    const scores = held.map((l) => rateOf(l.leadSource));
    const labels = held.map(label);
    const positives = labels.filter((y) => y === 1).length;
    // AUC as the share of (converted, not converted) pairs ranked right, ties counting half.
    let pairs = 0;
    for (const [i, p] of scores.entries()) {
      if (labels[i] !== 1) continue;
      for (const [j, q] of scores.entries()) {
        if (labels[j] === 0) pairs += p > q ? 1 : p === q ? 0.5 : 0;
      }
    }
    const auc = pairs / (positives * (labels.length - positives));
    const logLoss =
      scores.reduce((s, p, i) => s - Math.log(labels[i] === 1 ? p : 1 - p), 0) / scores.length;
    const brier = scores.reduce((s, p, i) => s + (p - (labels[i] ?? 0)) ** 2, 0) / scores.length;
    // Deciles of the score (a stable sort keeps the created order among equal scores).
    const byScore = scores.map((p, i) => ({ p, y: labels[i] ?? 0 })).sort((a, b) => a.p - b.p);
    const deciles = Array.from({ length: 10 }, (_, b) => {
      const bin = byScore.slice(
        Math.floor((b * byScore.length) / 10),
        Math.floor(((b + 1) * byScore.length) / 10),
      );
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      return {
        bin: b + 1,
        count: bin.length,
        predicted: mean(bin.map((c) => c.p)),
        observed: mean(bin.map((c) => c.y)),
      };
    });
    const ece = deciles.reduce((s, d) => s + d.count * Math.abs(d.predicted - d.observed), 0);
    expect(evaluation.test.conversions).toBe(positives);
    expect(evaluation.baseline.cases).toBe(held.length);
    expect(evaluation.baseline.auc).toBeCloseTo(auc, 12);
    expect(evaluation.baseline.logLoss).toBeCloseTo(logLoss, 12);
    expect(evaluation.baseline.brier).toBeCloseTo(brier, 12);
    expect(evaluation.baseline.ece).toBeCloseTo(ece / held.length, 12);
    for (const [i, d] of deciles.entries()) {
      expect(evaluation.baseline.calibration[i]).toMatchObject({ bin: d.bin, count: d.count });
      expect(evaluation.baseline.calibration[i]?.predicted).toBeCloseTo(d.predicted, 12);
      expect(evaluation.baseline.calibration[i]?.observed).toBeCloseTo(d.observed, 12);
    }
  });

  test('rapport score leads trains on every labelled lead and scores the leads not converted', async () => {
    const result = JSON.parse(await ok(run, 'score', 'leads', '--json')) as {
      training: { status: string; metrics: { labelled: number; conversions: number } };
      scores: { leadId: string; probability: number }[];
    };
    expect(result.training.status).toBe('trained');
    expect(result.training.metrics).toMatchObject({
      labelled: mqls.length,
      conversions: deals.length,
    });
    expect(result.scores).toHaveLength(mqls.length - deals.length);
    expect(result.scores.every((s) => s.probability > 0 && s.probability < 1)).toBe(true);
  });
});
