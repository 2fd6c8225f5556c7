import { renderBarChart } from './bar-chart.js';
import type { KpiDefinitionView, KpiResultView, KpiServiceView } from './kpi-view.js';
import { formatKpiValue, type NumberFormat, type ReportLanguage } from './number-format.js';
import { renderTable } from './text-table.js';

const groupTitles: Record<string, Record<ReportLanguage, string>> = {
  leads: { en: 'Leads', de: 'Leads' },
  pipeline: { en: 'Pipeline', de: 'Pipeline' },
  closing: { en: 'Closing', de: 'Abschluss' },
  aftersales: { en: 'Aftersales', de: 'Aftersales' },
};

const dimensionTitles: Record<string, Record<ReportLanguage, string>> = {
  owner: { en: 'rep', de: 'Vertriebsmitarbeiter' },
  team: { en: 'team', de: 'Team' },
  stage: { en: 'stage', de: 'Phase' },
  leadSource: { en: 'source', de: 'Quelle' },
  campaign: { en: 'campaign', de: 'Kampagne' },
  product: { en: 'product', de: 'Produkt' },
  productFamily: { en: 'product family', de: 'Produktfamilie' },
  lostReason: { en: 'lost reason', de: 'Verlustgrund' },
  accountSegment: { en: 'segment', de: 'Segment' },
};

/** The breakdown each group's chart shows: win rate by rep, pipeline by stage, leads by source. */
const chartDimensions: Record<string, readonly string[]> = {
  closing: ['owner'],
  pipeline: ['stage'],
  leads: ['leadSource'],
  aftersales: ['product', 'productFamily', 'owner'],
};

/**
 * The title of a KPI group in a language (its id, capitalised, for groups the CLI does not know).
 *
 * @example
 * groupTitle('closing', 'de'); // 'Abschluss'
 */
export function groupTitle(group: string, language: ReportLanguage): string {
  return groupTitles[group]?.[language] ?? group.charAt(0).toUpperCase() + group.slice(1);
}

/** One group of a report: its KPIs' results and at most one chart. */
export interface ReportGroup {
  readonly group: string;
  readonly results: readonly KpiResultView[];
  readonly chart: { readonly kpi: KpiResultView; readonly by: string } | null;
  /** Why the group could not be evaluated (a plugin failed); the other groups still show. */
  readonly error?: string;
}

/**
 * Evaluates every KPI of the engine for a period, group by group, plus one breakdown per group
 * for its chart. Generic: it reads the definitions, so a new plugin's KPIs appear by themselves.
 *
 * @example
 * const groups = await evaluateReport(kpis, '2017');
 */
export async function evaluateReport(kpis: KpiServiceView, period: string): Promise<ReportGroup[]> {
  const definitions = kpis.definitions();
  const groups = new Map<string, KpiDefinitionView[]>();
  for (const definition of definitions) {
    const list = groups.get(definition.group) ?? [];
    list.push(definition);
    groups.set(definition.group, list);
  }
  const report: ReportGroup[] = [];
  for (const [group, members] of groups) {
    try {
      report.push(await evaluateGroup(kpis, group, members, period));
    } catch (error) {
      report.push({
        group,
        results: [],
        chart: null,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return report;
}

async function evaluateGroup(
  kpis: KpiServiceView,
  group: string,
  members: readonly KpiDefinitionView[],
  period: string,
): Promise<ReportGroup> {
  const results = await kpis.evaluate(
    members.map((m) => m.id),
    { period },
  );
  let chart: ReportGroup['chart'] = null;
  const preferred = chartDimensions[group] ?? members[0]?.dimensions.slice(0, 1) ?? [];
  search: for (const by of preferred) {
    for (const member of members) {
      if (!member.dimensions.includes(by)) continue;
      const broken = (await kpis.evaluate([member.id], { period, by }))[member.id];
      if (broken?.breakdown && broken.breakdown.length > 0) {
        chart = { kpi: broken, by };
        break search;
      }
    }
  }
  return {
    group,
    results: members.flatMap((m) => results[m.id] ?? []),
    chart,
  };
}

/**
 * A table of KPI results: title, value in its unit, previous period, change, sample size.
 *
 * @example
 * console.log(renderKpiTable(Object.values(results), createNumberFormat('en')));
 */
export function renderKpiTable(results: readonly KpiResultView[], format: NumberFormat): string {
  const de = format.language === 'de';
  return renderTable(
    [
      { title: 'KPI' },
      { title: de ? 'Wert' : 'Value', right: true },
      { title: de ? 'Vorperiode' : 'Previous', right: true },
      { title: de ? 'Änderung' : 'Change', right: true },
      { title: 'n', right: true },
      { title: 'id' },
    ],
    results.map((result) => [
      result.title[format.language],
      hasBasis(result) ? formatKpiValue(format, result) : '–',
      // A previous period with nothing to measure has no value, not 0.
      result.previous && result.previous.sampleSize > 0
        ? formatKpiValue(format, { ...result, value: result.previous.value })
        : '–',
      result.previous && result.previous.sampleSize > 0
        ? format.change(result.unit, result.previous.change, result.previous.relativeChange)
        : '–',
      format.count(result.sampleSize),
      result.id,
    ]),
  );
}

const maxBars = 15;

/**
 * A bar chart of a KPI's breakdown, best first, at most fifteen bars.
 *
 * @example
 * console.log(renderBreakdownChart(winRateByOwner, 'owner', createNumberFormat('en')));
 */
export function renderBreakdownChart(kpi: KpiResultView, by: string, format: NumberFormat): string {
  const groups = [...(kpi.breakdown ?? [])]
    .filter((g) => g.value !== null)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const shown = groups.slice(0, maxBars);
  const dimension = dimensionTitles[by]?.[format.language] ?? by;
  const title = `${kpi.title[format.language]} ${format.language === 'de' ? 'nach' : 'by'} ${dimension}`;
  const chart = renderBarChart(
    shown.map((g) => ({
      label: g.label ?? g.key ?? (format.language === 'de' ? '(ohne)' : '(none)'),
      value: g.value ?? 0,
      text: formatKpiValue(format, { ...kpi, value: g.value }),
    })),
    28,
  );
  const more =
    groups.length > shown.length
      ? `\n… ${groups.length - shown.length} ${format.language === 'de' ? 'weitere' : 'more'}`
      : '';
  return `${title}\n${chart}${more}`;
}

/**
 * The whole report: per group a heading, the KPI table and its chart.
 *
 * @example
 * process.stdout.write(renderReport(await evaluateReport(kpis, '2017'), createNumberFormat('de')));
 */
export function renderReport(groups: readonly ReportGroup[], format: NumberFormat): string {
  const parts: string[] = [];
  for (const group of groups) {
    const heading = `■ ${groupTitle(group.group, format.language).toUpperCase()}`;
    if (group.error !== undefined) {
      const failed = format.language === 'de' ? 'nicht auswertbar' : 'could not be evaluated';
      parts.push(`${heading}\n(${failed}: ${group.error})`);
      continue;
    }
    parts.push(
      `${heading}\n${renderKpiTable(group.results, format)}${renderReasons(group.results, format)}`,
    );
    if (group.chart) parts.push(renderBreakdownChart(group.chart.kpi, group.chart.by, format));
  }
  return `${parts.join('\n\n')}\n`;
}

/** Why a KPI shows "–": one line per KPI without a value, under its group's table. */
function renderReasons(results: readonly KpiResultView[], format: NumberFormat): string {
  const lines = results
    .filter((result) => !hasBasis(result))
    .map(
      (result) =>
        `  – ${result.title[format.language]}: ${result.reason ?? (format.language === 'de' ? 'keine Daten (n = 0)' : 'no data (n = 0)')}`,
    );
  return lines.length > 0 ? `\n${lines.join('\n')}` : '';
}

/** Whether a value has something behind it: a ratio over nothing is "–", not 0 %. */
function hasBasis(result: KpiResultView): boolean {
  return result.value !== null && !(result.unit === 'ratio' && result.sampleSize === 0);
}
