import type { z } from 'zod';
import { coreDbOf, type ScopeState } from '../engine/engine-state.js';
import { loadTenant } from '../engine/visibility.js';
import { RapportError, validationError } from '../errors/rapport-error.js';
import type { pipelineStageSchema } from '../objects/standard-objects.js';

/** A stage of a pipeline. */
export type PipelineStage = z.output<typeof pipelineStageSchema>;

/**
 * @internal The stages of a pipeline: cached for the transaction, and between transactions in
 * the engine's shared cache when it is valid and this transaction has not written pipelines.
 */
export async function pipelineStages(
  state: ScopeState,
  pipelineId: string,
): Promise<readonly PipelineStage[]> {
  const cache = state.tx?.cache;
  const cached = cache?.stages(pipelineId);
  if (cached) return cached;
  const row = await coreDbOf(state)
    .selectFrom('pipelines')
    .select('stages')
    .where('tenantId', '=', state.tenantId)
    .where('id', '=', pipelineId)
    .executeTakeFirst();
  if (!row)
    throw validationError(
      'opportunity',
      ['pipelineId'],
      `references no pipeline ${pipelineId} in this tenant`,
      'unknown_reference',
    );
  // Cast: stages were parsed by the pipeline schema when written.
  const stages = state.engine.storage.sql.parseJson(row.stages) as PipelineStage[];
  cache?.rememberStages(pipelineId, stages);
  return stages;
}

/** @internal The pipeline new opportunities use by default. */
export async function defaultPipelineId(state: ScopeState): Promise<string> {
  const tenant = await loadTenant(state);
  if (!tenant.defaultPipelineId) {
    throw new RapportError('VALIDATION', 'the tenant has no default pipeline; give pipelineId', {
      object: 'opportunity',
      issues: [
        {
          path: ['pipelineId'],
          code: 'required',
          message: 'is required: the tenant has no default pipeline',
        },
      ],
    });
  }
  return tenant.defaultPipelineId;
}
