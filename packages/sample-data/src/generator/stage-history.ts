import { dayNumber, isoDay, isoTime } from './calendar.js';
import type { GeneratedBatch, GeneratedStageHistory } from './generated-rows.js';
import { createRandom, entitySeed } from './prng.js';

/** A stage of a pipeline, as stored in `pipelines.stages`. */
export interface HistoryStage {
  readonly name: string;
  readonly probability: number;
  readonly forecastCategory: string;
  readonly status: 'open' | 'won' | 'lost';
}

/** An existing opportunity to give a past: where it is now and when it opened and closed. */
export interface HistorySubject {
  readonly id: string;
  readonly stage: string;
  readonly amount: number | null;
  readonly currency: string;
  readonly openDate: string;
  readonly closeDate: string;
}

/** Options of {@link generateStageHistory}. */
export interface StageHistoryOptions {
  readonly tenantId: string;
  /** The opportunities' pipeline stages, in order. */
  readonly stages: readonly HistoryStage[];
  /** The last day the data knows: open deals moved no later than this. */
  readonly asOf: string;
  readonly seed?: number;
  /** Prefix of ids and external ids. Default `hist`. */
  readonly prefix?: string;
  readonly actorId?: string;
  /** Rows per batch. Default 1,000. */
  readonly batchSize?: number;
}

/**
 * Stage history for opportunities that were loaded without one (imported from another system):
 * each walks the open stages of its pipeline up to where it is, from its open date, and a closed
 * one ends in its won or lost stage on its close date, with seeded times in between. Rows have
 * fixed ids, so inserting them twice with "on conflict do nothing" adds nothing.
 *
 * @example
 * const batches = generateStageHistory(opportunities, { tenantId: 'maven', stages, asOf: '2017-12-31' });
 * await insertGeneratedData(db, batches);
 */
export function* generateStageHistory(
  subjects: Iterable<HistorySubject>,
  options: StageHistoryOptions,
): Generator<Extract<GeneratedBatch, { table: 'stageHistory' }>> {
  const prefix = options.prefix ?? 'hist';
  const asOf = dayNumber(options.asOf);
  const open = options.stages.filter((s) => s.status === 'open');
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  let rows: GeneratedStageHistory[] = [];
  let index = 0;
  for (const subject of subjects) {
    const random = createRandom(entitySeed(options.seed ?? 1, 'history', index++));
    const final = options.stages.find((s) => s.name === subject.stage);
    if (!final) continue;
    const closed = final.status !== 'open';
    const reached = closed ? open.length : open.findIndex((s) => s.name === final.name) + 1;
    const path = [...open.slice(0, Math.max(1, reached)), ...(closed ? [final] : [])];
    const start = Math.min(dayNumber(subject.openDate), asOf);
    const end = closed ? Math.max(start, dayNumber(subject.closeDate)) : asOf;
    let previous: GeneratedStageHistory | undefined;
    for (const [step, stage] of path.entries()) {
      // The first stage on the open date, the close on the close date, the rest in between.
      const last = step === path.length - 1;
      const day =
        step === 0
          ? start
          : closed && last
            ? end
            : start + Math.round(((end - start) * (step + random.next() * 0.5)) / path.length);
      const id = `${prefix}-${subject.id}-${step}`;
      const at = isoTime(day, (8 + step + random.next()) * 3600);
      const row: GeneratedStageHistory = {
        opportunityId: subject.id,
        stage: stage.name,
        previousStage: previous?.stage ?? null,
        status: stage.status,
        amount: subject.amount,
        previousAmount: previous ? subject.amount : null,
        currency: subject.currency,
        probability: stage.probability,
        previousProbability: previous?.probability ?? null,
        forecastCategory: stage.forecastCategory,
        closeDate: closed && last ? isoDay(end) : subject.closeDate,
        previousCloseDate: previous?.closeDate ?? null,
        tenantId: options.tenantId,
        id,
        version: 1,
        createdAt: at,
        createdBy: options.actorId ?? 'system',
        updatedAt: at,
        updatedBy: options.actorId ?? 'system',
        externalId: id,
        custom: null,
      };
      rows.push(row);
      previous = row;
    }
    if (rows.length >= batchSize) {
      yield { table: 'stageHistory', rows };
      rows = [];
    }
  }
  if (rows.length > 0) yield { table: 'stageHistory', rows };
}
