import { type CalibrationBin, describeFactor, predict, type ScoreMetrics } from '@rapport/predict';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../errors/cli-errors.js';
import { cliTranslator } from '../report/localize-cli.js';
import {
  createNumberFormat,
  isReportLanguage,
  type NumberFormat,
} from '../report/number-format.js';
import { renderTable } from '../report/text-table.js';
import { type DatabaseFlags, positiveInteger, withDatabaseOptions } from './database-options.js';
import { openPredictCrm } from './predict-engine.js';

interface ScoreFlags extends DatabaseFlags {
  readonly evaluate?: boolean;
  readonly json?: boolean;
  readonly lang: string;
  readonly limit: number;
  readonly minConversions?: number;
  readonly now?: string;
}

function isoTime(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError(`"${value}" is not a date or time`);
  return new Date(time).toISOString();
}

function metricRows(
  rows: readonly [string, ScoreMetrics | null][],
  format: NumberFormat,
): string[][] {
  const value = (v: number | null | undefined, digits = 3) =>
    v === null || v === undefined ? '–' : format.number(v, digits);
  return rows.map(([name, m]) => [
    name,
    m ? format.count(m.cases) : '–',
    value(m?.auc),
    value(m?.logLoss, 4),
    value(m?.brier, 4),
    value(m?.ece, 4),
  ]);
}

function calibrationRows(bins: readonly CalibrationBin[], format: NumberFormat): string[][] {
  return bins.map((b) => [
    String(b.bin),
    format.count(b.count),
    format.ratio(b.predicted),
    format.ratio(b.observed),
  ]);
}

/**
 * `rapport score leads`: trains the tenant's lead model, scores the open leads and stores the
 * scores; `--evaluate` measures the model on the newer quarter of the history instead.
 *
 * @example
 * program.addCommand(scoreCommand());
 */
export function scoreCommand(): Command {
  return withDatabaseOptions(
    new Command('score')
      .description('score leads with a model learned from the tenant history (or evaluate it)')
      .argument('<what>', 'what to score: leads'),
  )
    .option('--evaluate', 'train on the older 75 % by creation date, report on the newer 25 %')
    .option(
      '--min-conversions <n>',
      'conversions needed for a model (default 100)',
      positiveInteger,
    )
    .option('--limit <n>', 'leads to print', positiveInteger, 20)
    .option('--now <time>', 'the time to score at (default now)', isoTime)
    .option('--json', 'print the result as JSON')
    .addOption(
      new Option('--lang <language>', 'language of the explanations')
        .choices(['en', 'de'])
        .default('en'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ rapport score leads
  $ rapport score leads --evaluate --json
  $ rapport score leads --lang de --limit 5
`,
    )
    .action(async (what: string, flags: ScoreFlags) => {
      if (what !== 'leads')
        throw new UsageError(`cannot score "${what}"; try \`rapport score leads\``);
      const language = isReportLanguage(flags.lang) ? flags.lang : 'en';
      const format = createNumberFormat(language);
      const { crm, tenantId } = await openPredictCrm(flags);
      try {
        const service = predict(crm.tenant(tenantId).system());
        const options = {
          ...(flags.minConversions === undefined ? {} : { minConversions: flags.minConversions }),
          ...(flags.now === undefined ? {} : { now: flags.now }),
        };
        if (flags.evaluate) {
          const evaluation = await service.evaluateLeadModel(options);
          if (flags.json) {
            const { predictions: _predictions, ...rest } = evaluation;
            process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
            return;
          }
          const de = language === 'de';
          const out: string[] = [
            de
              ? `Training: ${evaluation.train.cases} Leads (${evaluation.train.conversions} konvertiert), Test: ${evaluation.test.cases} neuere Leads (${evaluation.test.conversions} konvertiert)`
              : `train: ${evaluation.train.cases} leads (${evaluation.train.conversions} converted), test: ${evaluation.test.cases} newer leads (${evaluation.test.conversions} converted)`,
          ];
          if (evaluation.status === 'notEnoughHistory')
            out.push(
              de
                ? 'zu wenig Historie für ein Modell: nur die Konversionsrate der Quelle wird gezeigt'
                : 'not enough history for a model: only the source conversion rate is shown',
            );
          out.push(
            '',
            renderTable(
              [
                { title: de ? 'Modell' : 'model' },
                { title: de ? 'Fälle' : 'cases', right: true },
                { title: 'AUC', right: true },
                { title: de ? 'Log-Loss' : 'log loss', right: true },
                { title: 'Brier', right: true },
                { title: 'ECE', right: true },
              ],
              metricRows(
                [
                  [
                    de
                      ? `gewählt (${evaluation.method ?? 'keines'})`
                      : `chosen (${evaluation.method ?? 'none'})`,
                    evaluation.model,
                  ],
                  [
                    de ? 'logistische Regression' : 'logistic regression',
                    evaluation.candidates?.logistic ?? null,
                  ],
                  ['naive Bayes', evaluation.candidates?.naiveBayes ?? null],
                  [
                    de ? 'Vergleich: Rate der Quelle' : 'baseline: source rate',
                    evaluation.baseline,
                  ],
                ],
                format,
              ),
            ),
            '',
            de
              ? 'Kalibrierung nach Dezilen (gewähltes Modell):'
              : 'calibration by deciles (chosen model):',
            renderTable(
              [
                { title: de ? 'Dezil' : 'decile', right: true },
                { title: 'Leads', right: true },
                { title: de ? 'vorhergesagt' : 'predicted', right: true },
                { title: de ? 'beobachtet' : 'observed', right: true },
              ],
              calibrationRows((evaluation.model ?? evaluation.baseline).calibration, format),
            ),
          );
          process.stdout.write(`${out.join('\n')}\n`);
          return;
        }
        const training = await service.trainLeadModel(options);
        const scored = await service.scoreLeads(options);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ training, ...scored }, null, 2)}\n`);
          return;
        }
        const leads = await crm
          .tenant(tenantId)
          .system()
          .leads.list({
            where: { id: { in: scored.scores.slice(0, flags.limit).map((s) => s.leadId) } },
            limit: flags.limit,
          });
        const names = new Map(leads.items.map((l) => [l.id, `${l.lastName} (${l.company})`]));
        process.stdout.write(
          // The training's message comes from @rapport/predict in English; the catalogue has its German.
          `${cliTranslator(language).message(training.message)}\n${
            language === 'de'
              ? `Modellversion ${scored.modelVersion} (${scored.method}); ${scored.scores.length} offene Leads bewertet`
              : `model version ${scored.modelVersion} (${scored.method}); ${scored.scores.length} open leads scored`
          }\n\n${renderTable(
            [
              { title: 'Lead' },
              { title: language === 'de' ? 'Bewertung' : 'score', right: true },
              { title: language === 'de' ? 'warum' : 'why' },
            ],
            scored.scores
              .slice(0, flags.limit)
              .map((s) => [
                names.get(s.leadId) ?? s.leadId,
                s.lower === null
                  ? format.ratio(s.probability)
                  : `${format.ratio(s.probability)} (${format.ratio(s.lower)}–${format.ratio(s.upper ?? s.lower)})`,
                s.factors.map((f) => describeFactor(f, language)).join('; ') ||
                  (language === 'de'
                    ? 'Konversionsrate der Quelle'
                    : "the source's conversion rate"),
              ]),
          )}\n`,
        );
      } finally {
        await crm.destroy();
      }
    });
}
