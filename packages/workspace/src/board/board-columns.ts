import type { Opportunity, Pipeline } from '../api/api-client.js';

/** One column of the board: an open stage with its deals and sums (minor units). */
export interface BoardColumn {
  readonly stage: string;
  readonly probability: number;
  readonly deals: readonly Opportunity[];
  readonly count: number;
  readonly value: number;
  /** Sum of amount × the deal's probability. */
  readonly weighted: number;
}

/**
 * The open stages of a pipeline as columns, deals sorted by amount (largest first), with count,
 * value and weighted value; deals of stages the pipeline no longer has are left out.
 *
 * @example
 * boardColumns(pipeline, deals)[0]; // { stage: 'Prospecting', count: 500, value: ..., weighted: ... }
 */
export function boardColumns(
  pipeline: Pick<Pipeline, 'stages'>,
  deals: readonly Opportunity[],
): BoardColumn[] {
  return pipeline.stages
    .filter((stage) => stage.status === 'open')
    .map((stage) => {
      const inStage = deals
        .filter((deal) => deal.stage === stage.name && (deal.status ?? 'open') === 'open')
        .sort((a, b) => (b.amount ?? 0) - (a.amount ?? 0));
      let value = 0;
      let weighted = 0;
      for (const deal of inStage) {
        value += deal.amount ?? 0;
        weighted += ((deal.amount ?? 0) * (deal.probability ?? stage.probability)) / 100;
      }
      return {
        stage: stage.name,
        probability: stage.probability,
        deals: inStage,
        count: inStage.length,
        value,
        weighted: Math.round(weighted),
      };
    });
}

/** The stage a won or lost close moves a deal to: the pipeline's first stage of that status. */
export function closingStage(
  pipeline: Pick<Pipeline, 'stages'>,
  status: 'won' | 'lost',
): string | undefined {
  return pipeline.stages.find((stage) => stage.status === status)?.name;
}
