import type { EngineState } from '../engine/engine-state.js';
import type { Evaluation } from './kpi-compile.js';
import type { Cells } from './kpi-fold.js';
import type { AnyKpiMeasure } from './kpi-measure.js';
import type { FusedSource } from './kpi-plan.js';

/**
 * @internal Answers a fused source's measures from data kept ahead (the rollups), filling
 * `cells` as the scan would; false when it cannot (then the source is scanned).
 */
export type PrecomputedAnswer = (
  evaluation: Evaluation,
  fused: FusedSource,
  cells: Cells,
) => Promise<boolean>;

const answers = new WeakMap<EngineState, PrecomputedAnswer>();

/**
 * @internal Gives an engine's evaluations a way to answer from kept data. Registered by
 * `createCrm` (the rollups sit above the KPI layer, which only asks).
 */
export function registerPrecomputed(engine: EngineState, answer: PrecomputedAnswer): void {
  answers.set(engine, answer);
}

/** @internal Answers from kept data when the engine has any; false otherwise. */
export async function answerPrecomputed(
  evaluation: Evaluation,
  fused: FusedSource,
  cells: Cells,
): Promise<boolean> {
  const answer = answers.get(evaluation.state.engine);
  return answer ? answer(evaluation, fused, cells) : false;
}

/**
 * @internal Answers a median (per bucket, and per group when `grouped`) from data kept ahead,
 * filling `cells` as the median statement would; false when it cannot (then it is scanned).
 */
export type PrecomputedMedian = (
  evaluation: Evaluation,
  signature: string,
  measure: AnyKpiMeasure,
  cells: Cells,
  grouped: boolean,
) => Promise<boolean>;

const medians = new WeakMap<EngineState, PrecomputedMedian>();

/** @internal Gives an engine's evaluations a way to answer medians from kept data. */
export function registerPrecomputedMedian(engine: EngineState, answer: PrecomputedMedian): void {
  medians.set(engine, answer);
}

/** @internal Answers a median from kept data when the engine has any; false otherwise. */
export async function answerPrecomputedMedian(
  ...args: Parameters<PrecomputedMedian>
): Promise<boolean> {
  const answer = medians.get(args[0].state.engine);
  return answer ? answer(...args) : false;
}
