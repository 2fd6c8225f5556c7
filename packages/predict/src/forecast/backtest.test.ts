import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { importMavenCrm } from '@rapport/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DealHistory, dayNumber, loadDealHistory } from '../deals/deal-timeline.js';
import { backtest } from './backtest.js';
import { forecastPeriod } from './pipeline-forecast.js';

const quarters = ['01', '04', '07', '10'].map((month, i) => ({
  label: `2017-Q${i + 1}`,
  start: dayNumber(`2017-${month}-01`),
  end: i === 3 ? dayNumber('2018-01-01') : dayNumber(`2017-${['04', '07', '10'][i]}-01`),
}));

describe('forecast backtest on the Maven CRM data (2017 quarters)', () => {
  let history: DealHistory;
  beforeAll(async () => {
    const crm = createCrm({ storage: sqliteStorage() });
    await crm.migrate();
    await crm.createTenant({
      id: 'maven',
      name: 'MavenTech',
      baseCurrency: 'USD',
      timeZone: 'UTC',
    });
    await importMavenCrm(crm.tenant('maven').system());
    history = await loadDealHistory(crm.tenant('maven').system());
    await crm.destroy();
  }, 120_000);

  it('replays each quarter from what was known at its start', () => {
    const result = backtest(history, quarters, { runs: 2000, seed: 5 });
    const money = (v: number) => Math.round(v / 100);
    for (const p of result.periods) {
      console.info(
        `${p.label}: ${p.method}, open ${p.openDeals}, actual ${money(p.actual)} (from pipeline ${money(p.actualFromPipeline)}), ` +
          `P10 ${money(p.p10)} P50 ${money(p.p50)} P90 ${money(p.p90)}, in range ${p.inRange}, ` +
          `error P50 ${p.errorP50?.toFixed(3)}, weighted ${money(p.weightedPipeline)} error ${p.errorWeighted?.toFixed(3)}, ` +
          `pipeline-only P50 ${money(p.pipelineP50)} error ${p.errorPipelineP50?.toFixed(3)}`,
      );
    }
    console.info(
      `Maven 2017: MAPE P50 ${result.mapeP50?.toFixed(3)}, weighted ${result.mapeWeighted?.toFixed(3)}, ` +
        `pipeline-only ${result.mapePipelineP50?.toFixed(3)}, P10-P90 coverage ${result.coverage} ` +
        `(independent deals ${result.coverageIndependent}, MAPE P50 ${result.mapeP50Independent?.toFixed(3)}), ` +
        `mean width / actual ${result.meanRelativeWidth?.toFixed(3)} (independent ${result.meanRelativeWidthIndependent?.toFixed(3)}); ` +
        `point fit: coverage ${result.coveragePoint}, MAPE P50 ${result.mapeP50Point?.toFixed(3)}, width ${result.meanRelativeWidthPoint?.toFixed(3)}`,
    );
    for (const p of result.periods)
      console.info(
        `${p.label}: shock ${JSON.stringify(p.shock)} ranges ${JSON.stringify(p.shockRanges)}, independent P10 ${money(p.p10Independent)} P90 ${money(p.p90Independent)} in range ${p.inRangeIndependent}; point fit P10 ${money(p.p10Point)} P50 ${money(p.p50Point)} P90 ${money(p.p90Point)} in ${p.inRangePoint}`,
      );
    expect(result.periods).toHaveLength(4);
    // Q1 starts before any deal closed: nothing to learn from, the stage default is used.
    expect(result.periods[0]!.method).toBe('stageDefault');
    expect(result.periods[3]!.method).not.toBe('stageDefault');
    for (const p of result.periods) {
      expect(p.p10).toBeLessThanOrEqual(p.p50);
      expect(p.p50).toBeLessThanOrEqual(p.p90);
      expect(p.actual).toBeGreaterThan(0);
    }
  }, 300_000);

  it('walk-forward by month: the shared factor widens the range where independence was too sure', () => {
    const months = Array.from({ length: 10 }, (_, i) => {
      const month = i + 3;
      const next = month === 12 ? '2018-01-01' : `2017-${String(month + 1).padStart(2, '0')}-01`;
      return {
        label: `2017-${String(month).padStart(2, '0')}`,
        start: dayNumber(`2017-${String(month).padStart(2, '0')}-01`),
        end: dayNumber(next),
      };
    });
    const result = backtest(history, months, { runs: 2000, seed: 5 });
    const money = (v: number) => Math.round(v / 100);
    for (const p of result.periods)
      console.info(
        `${p.label}: ${p.method}, shock ${JSON.stringify(p.shock)} ranges ${JSON.stringify(p.shockRanges)}, actual ${money(p.actual)}, P10 ${money(p.p10)} P50 ${money(p.p50)} P90 ${money(p.p90)} in ${p.inRange}; ` +
          `independent P10 ${money(p.p10Independent)} P90 ${money(p.p90Independent)} in ${p.inRangeIndependent}; point fit P10 ${money(p.p10Point)} P50 ${money(p.p50Point)} P90 ${money(p.p90Point)} in ${p.inRangePoint}`,
      );
    console.info(
      `Maven 2017 months: coverage ${result.coverage} (independent ${result.coverageIndependent}), MAPE P50 ${result.mapeP50?.toFixed(3)} (independent ${result.mapeP50Independent?.toFixed(3)}, weighted ${result.mapeWeighted?.toFixed(3)}), ` +
        `mean width / actual ${result.meanRelativeWidth?.toFixed(3)} (independent ${result.meanRelativeWidthIndependent?.toFixed(3)}); ` +
        `point fit: coverage ${result.coveragePoint}, MAPE P50 ${result.mapeP50Point?.toFixed(3)}, width ${result.meanRelativeWidthPoint?.toFixed(3)}`,
    );
    expect(result.periods).toHaveLength(10);
    for (const p of result.periods) {
      // The shared factor only adds spread around the same deals: never a narrower range.
      if (p.shock !== null)
        expect(p.p90 - p.p10).toBeGreaterThanOrEqual(p.p90Independent - p.p10Independent);
    }
  }, 300_000);

  it('the forecast as of a day only counts wins before it as won so far', () => {
    const start = dayNumber('2017-10-01');
    const end = dayNumber('2018-01-01');
    const early = forecastPeriod(history, start, end, dayNumber('2017-10-15'), { runs: 500 });
    const late = forecastPeriod(history, start, end, dayNumber('2017-12-15'), { runs: 500 });
    expect(late.total.wonSoFar).toBeGreaterThan(early.total.wonSoFar);
    expect(late.total.categories.closed).toBe(late.total.wonSoFar);
  }, 120_000);
});
