import { createHash } from 'node:crypto';
import { type CrmScope, RapportError } from '@rapport/core';
import { type DealModel, trainDealModel } from '../deals/deal-model.js';
import { type DayNumber, type DealHistory, dayString } from '../deals/deal-timeline.js';
import { cachedModel, type StoredModel, saveModel } from '../store/model-store.js';
import type { PeriodShock } from './period-shock.js';
import { type ForecastOptions, forecastDay, periodShock } from './pipeline-forecast.js';

/**
 * What a forecast trains before it simulates: the deal model on its day and the shared factor
 * fitted for its period length (up to 8 more deal models, one per past window).
 */
export interface TrainedForecast {
  readonly model: DealModel;
  readonly correlation: PeriodShock | null;
}

/** What is stored as a deal model's metrics. */
export interface TrainedForecastMetrics {
  readonly asOf: string;
  readonly periodDays: number;
  readonly wins: number;
  readonly losses: number;
}

/**
 * A digest of everything the training reads from the scope: the visible deals with their stage
 * history, activities, main product and team, the pipelines and the base currency. Any write that
 * changes them (or what the actor may see) changes it, whichever path wrote.
 *
 * @example
 * const key = historyDigest(await loadDealHistory(scope));
 */
export function historyDigest(history: DealHistory): string {
  const hash = createHash('sha256');
  hash.update(history.baseCurrency);
  for (const deal of history.deals) hash.update(JSON.stringify(deal));
  hash.update(JSON.stringify([...history.pipelines]));
  return hash.digest('hex');
}

/** Whether the scope's engine has the predict plugin's tables (the cache lives there). */
async function lookup(
  scope: CrmScope,
  key: string,
): Promise<StoredModel<TrainedForecast, TrainedForecastMetrics> | undefined | null> {
  try {
    return await cachedModel<TrainedForecast, TrainedForecastMetrics>(scope, 'deal', key);
  } catch (error) {
    // Without the plugin registered there is nowhere to keep the model: train every time.
    if (error instanceof RapportError && error.code === 'UNSUPPORTED') return null;
    throw error;
  }
}

/**
 * The version of what training learns from a history: part of the cache key, so a stored model
 * made by older training code (2: separating features left out) is not reused.
 */
const trainingVersion = 2;

/**
 * The trained inputs of a forecast, from the tenant's model store when a forecast with the same
 * inputs (the history's digest, the forecast day, the period length and the options that change
 * training) was made before, else trained and stored as a new `deal` model version. Without the
 * predict plugin on the engine, trained and not stored (`stored: null`).
 *
 * @example
 * const { trained, stored } = await trainedForecast(scope, history, start, end, asOf);
 */
export async function trainedForecast(
  scope: CrmScope,
  history: DealHistory,
  start: DayNumber,
  end: DayNumber,
  asOf: DayNumber,
  options: Pick<ForecastOptions, 'minClosedEach' | 'correlation'> = {},
): Promise<{
  readonly trained: TrainedForecast;
  readonly stored: StoredModel<TrainedForecast, TrainedForecastMetrics> | null;
}> {
  const day = forecastDay(start, end, asOf);
  const correlation = options.correlation ?? 'fitted';
  const key = [
    `t${trainingVersion}`,
    historyDigest(history),
    dayString(day),
    end - start,
    correlation,
    options.minClosedEach ?? 50,
  ].join(':');
  const cached = await lookup(scope, key);
  if (cached) return { trained: cached.model, stored: cached };
  const { model } = trainDealModel(history, day, options);
  const trained: TrainedForecast = {
    model,
    correlation:
      correlation === 'independent' ? null : periodShock(history, end - start, day, options),
  };
  if (cached === null) return { trained, stored: null };
  const stored = await saveModel<TrainedForecast, TrainedForecastMetrics>(
    scope,
    {
      kind: 'deal',
      method: model.model?.method ?? 'stageDefault',
      trainedAt: new Date().toISOString(),
      model: trained,
      metrics: {
        asOf: model.asOf,
        periodDays: end - start,
        wins: model.wins,
        losses: model.losses,
      },
    },
    { cacheKey: key },
  );
  return { trained, stored };
}
