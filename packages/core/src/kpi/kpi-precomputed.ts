import type { EngineState } from '../engine/engine-state.js';
import type { Evaluation } from './kpi-compile.js';
import type { Cells } from './kpi-fold.js';
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
