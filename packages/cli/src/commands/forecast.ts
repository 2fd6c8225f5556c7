import type { PeriodInput } from '@rapport/core';
import { describeRisk, predict } from '@rapport/predict';
import { Command, Option } from 'commander';
import { createNumberFormat, isReportLanguage } from '../report/number-format.js';
import { renderTable } from '../report/text-table.js';
import { type DatabaseFlags, positiveInteger, withDatabaseOptions } from './database-options.js';
import { openPredictCrm } from './predict-engine.js';

interface ForecastFlags extends DatabaseFlags {
  readonly period?: string;
  readonly by?: 'owner' | 'team' | 'product';
  readonly asOf?: string;
  readonly runs: number;
  readonly seed: number;
  readonly backtest?: boolean;
  readonly periods?: string;
  readonly json?: boolean;
  readonly lang: string;
  readonly limit: number;
}

/** The quarters of the year before today's year: the default backtest. */
function lastYearQuarters(today: string): string[] {
  const year = Number(today.slice(0, 4)) - 1;
  return [1, 2, 3, 4].map((q) => `${year}-Q${q}`);
}

/**
 * `rapport forecast`: the period's revenue forecast (P10/P50/P90 from a seeded Monte Carlo of
 * the open deals), forecast categories, quotas at risk and the deals whose plans look
 * unrealistic; `--backtest` replays past periods and reports MAPE and P10-P90 coverage.
 *
 * @example
 * program.addCommand(forecastCommand());
 */
export function forecastCommand(): Command {
  return withDatabaseOptions(
    new Command('forecast').description(
      'forecast revenue of a period with a range, check quotas, flag unrealistic deals; --backtest replays history',
    ),
  )
    .option('--period <period>', '2026-Q3, 2026-03, FY2026, thisQuarter (default)')
    .addOption(
      new Option('--by <dimension>', 'per owner, team or product').choices([
        'owner',
        'team',
        'product',
      ]),
    )
    .option('--as-of <day>', 'forecast as it could be made on this day (default today)')
    .option('--runs <n>', 'Monte Carlo runs', positiveInteger, 10_000)
    .option('--seed <n>', 'seed of the simulation', positiveInteger, 1)
    .option('--backtest', 'replay past periods from their first day and compare with what was won')
    .option(
      '--periods <list>',
      'periods of the backtest, comma-separated (default: last year by quarter)',
    )
    .option('--limit <n>', 'deals to print', positiveInteger, 10)
    .option('--json', 'print the result as JSON')
    .addOption(
      new Option('--lang <language>', 'language of the report').choices(['en', 'de']).default('en'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ rapport forecast --period 2017-Q4 --as-of 2017-10-01 --by owner
  $ rapport forecast --backtest --periods 2017-Q1,2017-Q2,2017-Q3,2017-Q4
`,
    )
    .action(async (flags: ForecastFlags) => {
      const language = isReportLanguage(flags.lang) ? flags.lang : 'en';
      const format = createNumberFormat(language);
      const { crm, tenantId } = await openPredictCrm(flags);
      try {
        const scope = crm.tenant(tenantId).system();
        const service = predict(scope);
        if (flags.backtest) {
          // Period labels are checked by resolvePeriod, which rejects a bad one with VALIDATION.
          const periods = (flags.periods?.split(',').map((p) => p.trim()) ??
            lastYearQuarters(await scope.today())) as PeriodInput[];
          const result = await service.backtestForecast({
            periods,
            runs: flags.runs,
            seed: flags.seed,
          });
          if (flags.json) {
            process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
            return;
          }
          const money = (v: number) => format.money(v, result.currency);
          const percent = (v: number | null) => (v === null ? '–' : format.ratio(v));
          const de = language === 'de';
          const yesNo = (v: boolean) => (v ? (de ? 'ja' : 'yes') : de ? 'nein' : 'no');
          const summary = de
            ? `MAPE von P50: ${percent(result.mapeP50)}; der gewichteten Pipeline: ${percent(result.mapeWeighted)}; Ist innerhalb P10–P90: ${percent(result.coverage)} (Deals unabhängig: ${percent(result.coverageIndependent)}); mittlere Breite P10–P90: ${percent(result.meanRelativeWidth)} des Ists`
            : `MAPE of P50: ${percent(result.mapeP50)}; of the weighted pipeline: ${percent(result.mapeWeighted)}; actual inside P10-P90: ${percent(result.coverage)} (deals as independent: ${percent(result.coverageIndependent)}); mean width of P10-P90: ${percent(result.meanRelativeWidth)} of the actual`;
          process.stdout.write(
            `${renderTable(
              [
                { title: de ? 'Zeitraum' : 'period' },
                { title: de ? 'Modell' : 'model' },
                { title: 'P10', right: true },
                { title: 'P50', right: true },
                { title: 'P90', right: true },
                { title: de ? 'Ist gewonnen' : 'actual won', right: true },
                { title: de ? 'in Spanne' : 'in range' },
                { title: de ? 'in Spanne, unabhängig' : 'in range, independent' },
                { title: de ? 'Fehler P50' : 'error P50', right: true },
                { title: de ? 'gewichtete Pipeline' : 'weighted pipeline', right: true },
                { title: de ? 'Fehler gewichtet' : 'error weighted', right: true },
              ],
              result.periods.map((p) => [
                p.label,
                p.method,
                money(p.p10),
                money(p.p50),
                money(p.p90),
                money(p.actual),
                yesNo(p.inRange),
                yesNo(p.inRangeIndependent),
                percent(p.errorP50),
                money(p.weightedPipeline),
                percent(p.errorWeighted),
              ]),
            )}\n\n${summary}\n`,
          );
          return;
        }
        const result = await service.forecast({
          // Checked by resolvePeriod, which rejects a bad label with VALIDATION.
          ...(flags.period === undefined ? {} : { period: flags.period as PeriodInput }),
          ...(flags.by === undefined ? {} : { by: flags.by }),
          ...(flags.asOf === undefined ? {} : { asOf: flags.asOf }),
          runs: flags.runs,
          seed: flags.seed,
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const money = (v: number) => format.money(v, result.currency);
        const de = language === 'de';
        const groups = [result.total, ...result.groups];
        const out = [
          `${de ? 'Zeitraum' : 'Period'}: ${result.period.label}, ${de ? 'Stand' : 'as of'} ${result.asOf}, ${de ? 'Modell' : 'model'}: ${result.method}`,
          result.correlation
            ? de
              ? `gemeinsamer Faktor je Zeitraum: Mittel ${format.number(result.correlation.mean)}, Streuung ${format.number(result.correlation.sigma)} (Log-Odds, aus ${result.correlation.windows} früheren Zeiträumen)`
              : `shared factor per period: mean ${format.number(result.correlation.mean)}, sigma ${format.number(result.correlation.sigma)} (log odds, fitted on ${result.correlation.windows} past windows)`
            : de
              ? 'zu wenig Historie für einen gemeinsamen Faktor: Deals unabhängig simuliert, die Spanne ist zu eng'
              : 'too little history for a shared factor: deals simulated as independent, the range is too narrow',
          '',
          renderTable(
            [
              { title: de ? 'Gruppe' : 'group' },
              { title: de ? 'gewonnen' : 'won so far', right: true },
              { title: 'P10', right: true },
              { title: 'P50', right: true },
              { title: 'P90', right: true },
              { title: de ? 'erwartet' : 'expected', right: true },
              { title: de ? 'Vertriebsziel' : 'quota', right: true },
              { title: de ? 'Chance' : 'chance', right: true },
              { title: '' },
            ],
            groups.map((g) => [
              g.key === null ? (de ? 'gesamt' : 'total') : (g.label ?? g.key),
              money(g.wonSoFar),
              money(g.p10),
              money(g.p50),
              money(g.p90),
              money(g.expected),
              g.quota === null ? '–' : money(g.quota),
              g.quotaProbability === null ? '–' : format.ratio(g.quotaProbability),
              g.quotaAtRisk ? (de ? 'Vertriebsziel gefährdet' : 'quota at risk') : '',
            ]),
          ),
          '',
          de
            ? `Forecast-Kategorien: Pipeline ${money(result.total.categories.pipeline)}, Best Case ${money(result.total.categories.bestCase)}, Commit ${money(result.total.categories.commit)}, abgeschlossen ${money(result.total.categories.closed)}`
            : `forecast categories: pipeline ${money(result.total.categories.pipeline)}, best case ${money(result.total.categories.bestCase)}, commit ${money(result.total.categories.commit)}, closed ${money(result.total.categories.closed)}`,
        ];
        const risky = result.deals.filter((d) => d.risks.length > 0).slice(0, flags.limit);
        if (risky.length > 0) {
          out.push(
            '',
            de ? 'unrealistische Planung:' : 'unrealistic plans:',
            renderTable(
              [
                { title: 'Deal' },
                { title: de ? 'Chance' : 'win', right: true },
                { title: de ? 'warum' : 'why' },
              ],
              risky.map((d) => [
                d.name,
                format.ratio(d.winProbability),
                d.risks.map((r) => describeRisk(r, language, money)).join('; '),
              ]),
            ),
          );
        }
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await crm.destroy();
      }
    });
}
