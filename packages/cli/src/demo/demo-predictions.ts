import type { CrmScope, PeriodInput } from '@rapport/core';
import {
  describeFactor,
  describeRisk,
  type ForecastDealView,
  type ForecastGroup,
  type LeadScore,
  predict,
  type ScopeForecast,
} from '@rapport/predict';
import { cliTranslator } from '../report/localize-cli.js';
import type { NumberFormat } from '../report/number-format.js';
import { renderTable } from '../report/text-table.js';

/** What `rapport demo` shows of the predictions. */
export interface DemoPredictions {
  readonly leads: {
    readonly status: 'trained' | 'notEnoughHistory';
    readonly method: string;
    readonly message: string;
    readonly scored: number;
    /** The sum of the open leads' scores. */
    readonly expectedConversions: number;
    readonly top: readonly (LeadScore & { readonly name: string })[];
  };
  readonly forecast: {
    readonly period: string;
    readonly asOf: string;
    readonly currency: string;
    readonly method: string;
    readonly correlation: ScopeForecast['correlation'];
    readonly total: ForecastGroup;
    /** Won in the period, in truth: the demo's data reaches past the forecast day. */
    readonly actualWon: number;
    readonly owners: readonly ForecastGroup[];
    readonly atRiskOwners: number;
    readonly riskyDeals: readonly ForecastDealView[];
  };
}

/** The quarter containing a day, as a period label (`2017-Q4`) and its first day. */
export function quarterOf(day: string): { label: string; start: string } {
  const year = day.slice(0, 4);
  const quarter = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
  const month = String((quarter - 1) * 3 + 1).padStart(2, '0');
  return { label: `${year}-Q${quarter}`, start: `${year}-${month}-01` };
}

/**
 * Trains and stores the lead scores, then forecasts the data's last quarter as it could have
 * been made on its first day (per owner, against the quotas), and what was then won.
 *
 * @example
 * const predictions = await demoPredictions(scope, summary.dataEnd, 1);
 */
export async function demoPredictions(
  scope: CrmScope,
  dataEnd: string,
  seed: number,
): Promise<DemoPredictions> {
  const service = predict(scope);
  const training = await service.trainLeadModel();
  const scored = await service.scoreLeads();
  const topScores = scored.scores.slice(0, 5);
  const named = await scope.leads.list({
    where: { id: { in: topScores.map((s) => s.leadId) } },
    limit: topScores.length || 1,
  });
  const names = new Map(named.items.map((l) => [l.id, `${l.lastName} (${l.company})`]));
  const quarter = quarterOf(dataEnd);
  // A quarter label is a PeriodInput (`2017-Q4`); resolvePeriod checks it.
  const period = quarter.label as PeriodInput;
  const result = await service.forecast({ period, asOf: quarter.start, by: 'owner', seed });
  // As of the day after the data ends, everything won in the period is "won so far": the actual.
  const after = await service.forecast({
    period,
    asOf: new Date(Date.parse(`${dataEnd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10),
    runs: 1,
    correlation: 'independent',
  });
  const owners = [...result.groups].sort((a, b) => (b.quota ?? 0) - (a.quota ?? 0));
  return {
    leads: {
      status: training.status,
      method: scored.method,
      message: training.message,
      scored: scored.scores.length,
      expectedConversions: scored.scores.reduce((s, l) => s + l.probability, 0),
      top: topScores.map((s) => ({ ...s, name: names.get(s.leadId) ?? s.leadId })),
    },
    forecast: {
      period: result.period.label,
      asOf: result.asOf,
      currency: result.currency,
      method: result.method,
      correlation: result.correlation,
      total: result.total,
      actualWon: after.total.wonSoFar,
      owners,
      atRiskOwners: owners.filter((o) => o.quotaAtRisk).length,
      riskyDeals: result.deals.filter((d) => d.risks.length > 0).slice(0, 5),
    },
  };
}

/**
 * The predictions as text: the best lead scores with their reasons, the forecast range against
 * the quota, the owners whose quota is at risk and the deals whose plans look unrealistic.
 */
export function renderPredictions(
  predictions: DemoPredictions,
  format: NumberFormat,
  language: 'en' | 'de',
): string {
  const de = language === 'de';
  const { leads, forecast } = predictions;
  const money = (v: number) => format.money(v, forecast.currency);
  const chance = (g: ForecastGroup) =>
    g.quotaProbability === null ? '–' : format.ratio(g.quotaProbability);
  const out = [
    de ? '## Vorhersagen' : '## Predictions',
    '',
    // The training's message comes from @rapport/predict in English; the catalogue has its German.
    `${de ? 'Lead-Scores' : 'Lead scores'} (${leads.method}): ${cliTranslator(language).message(leads.message)}`,
    `${format.count(leads.scored)} ${de ? 'offene Leads bewertet, erwartete Konvertierungen' : 'open leads scored, expected conversions'} ${format.number(leads.expectedConversions, 1)}`,
    renderTable(
      [
        { title: 'Lead' },
        { title: de ? 'Bewertung' : 'score', right: true },
        { title: de ? 'warum' : 'why' },
      ],
      leads.top.map((s) => [
        s.name,
        format.ratio(s.probability),
        s.factors.map((f) => describeFactor(f, language)).join('; ') ||
          (de ? 'Konversionsrate der Quelle' : "the source's conversion rate"),
      ]),
    ),
    '',
    `${de ? 'Forecast' : 'Forecast'} ${forecast.period} ${de ? 'zum' : 'as of'} ${forecast.asOf} (${forecast.method}): P10 ${money(forecast.total.p10)}, P50 ${money(forecast.total.p50)}, P90 ${money(forecast.total.p90)}; quota ${forecast.total.quota === null ? '–' : money(forecast.total.quota)}, ${de ? 'Chance' : 'chance'} ${chance(forecast.total)}${forecast.total.quotaAtRisk ? (de ? ' (Quote gefährdet)' : ' (quota at risk)') : ''}`,
    `${de ? 'tatsächlich gewonnen' : 'actually won'}: ${money(forecast.actualWon)}${forecast.correlation ? '' : de ? '; Deals unabhängig simuliert (zu wenig Historie): die Spanne ist zu eng' : '; deals simulated as independent (too little history): the range is too narrow'}`,
    renderTable(
      [
        { title: 'owner' },
        { title: 'P10', right: true },
        { title: 'P50', right: true },
        { title: 'P90', right: true },
        { title: 'quota', right: true },
        { title: de ? 'Chance' : 'chance', right: true },
        { title: '' },
      ],
      forecast.owners
        .filter((g) => g.quotaAtRisk)
        .sort((a, b) => (a.quotaProbability ?? 0) - (b.quotaProbability ?? 0))
        .map((g) => [
          g.label ?? g.key ?? '',
          money(g.p10),
          money(g.p50),
          money(g.p90),
          g.quota === null ? '–' : money(g.quota),
          chance(g),
          g.quotaAtRisk ? (de ? 'Quote gefährdet' : 'quota at risk') : '',
        ]),
    ),
    `${forecast.atRiskOwners} ${de ? 'von' : 'of'} ${forecast.owners.length} ${de ? 'Quoten gefährdet (oben)' : 'quotas at risk (above)'}`,
  ];
  if (forecast.riskyDeals.length > 0) {
    out.push(
      '',
      de ? 'unrealistische Planung:' : 'unrealistic plans:',
      renderTable(
        [{ title: 'deal' }, { title: de ? 'Chance' : 'win', right: true }, { title: 'why' }],
        forecast.riskyDeals.map((d) => [
          d.name,
          format.ratio(d.winProbability),
          d.risks.map((r) => describeRisk(r, language, money)).join('; '),
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
