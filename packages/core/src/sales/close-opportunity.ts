import { z } from 'zod';
import { nowOf, type ScopeState } from '../engine/engine-state.js';
import { getVisible } from '../engine/read/find-record.js';
import type { StoredRecord } from '../engine/stored-record.js';
import { inTransaction } from '../engine/transaction.js';
import { loadTenant } from '../engine/visibility.js';
import { createRecord } from '../engine/write/create-record.js';
import { prefixIssues } from '../engine/write/issue-paths.js';
import { staleVersion, updateRecord } from '../engine/write/update-record.js';
import { validationError } from '../errors/rapport-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import { dateSchema, requiredText } from '../objects/field-schemas.js';
import { lineItemObject, opportunityObject } from '../objects/standard-objects.js';
import { dayInTimeZone } from '../tenancy/tenant.js';
import { pipelineStages } from './pipeline-stages.js';

const closeWonSchema = z.strictObject({
  version: z.number().int().positive(),
  closeDate: dateSchema.optional(),
  lineItems: z.array(z.record(z.string(), z.unknown())).optional(),
});
const closeLostSchema = z.strictObject({
  version: z.number().int().positive(),
  closeDate: dateSchema.optional(),
  lostReason: requiredText,
});

/** The first stage of the pipeline with this status; VALIDATION when there is none. */
async function stageWithStatus(
  state: ScopeState,
  pipelineId: string,
  status: 'won' | 'lost',
): Promise<string> {
  const stage = (await pipelineStages(state, pipelineId)).find((s) => s.status === status);
  if (!stage) {
    throw validationError(
      'opportunity',
      ['stage'],
      `pipeline ${pipelineId} has no ${status} stage`,
      'no_stage',
    );
  }
  return stage.name;
}

/** Today in the tenant's time zone. */
async function today(state: ScopeState): Promise<string> {
  return dayInTimeZone(nowOf(state), (await loadTenant(state)).timeZone);
}

/**
 * @internal `opportunities.closeWon`, in one transaction: add the line items (their issues under
 * `lineItems.<index>`), then move to the pipeline's won stage on the close date.
 */
export async function closeWon(
  state: ScopeState,
  id: string,
  options: unknown,
): Promise<StoredRecord> {
  const parsed = closeWonSchema.safeParse(options);
  if (!parsed.success) throw fromZodError('opportunity', parsed.error);
  const { version, closeDate, lineItems = [] } = parsed.data;
  return inTransaction(state, async (tx) => {
    const current = await getVisible(tx, opportunityObject, id);
    if (current.version !== version) {
      throw staleVersion(opportunityObject, id, current.version, version);
    }
    for (const [index, item] of lineItems.entries()) {
      try {
        await createRecord(tx, lineItemObject, { ...item, opportunityId: id });
      } catch (error) {
        throw prefixIssues(error, ['lineItems', index]);
      }
    }
    // Line items moved the amount (and the version) inside this transaction.
    const fresh = await getVisible(tx, opportunityObject, id);
    return updateRecord(tx, opportunityObject, id, {
      version: fresh.version,
      stage: await stageWithStatus(tx, String(current.pipelineId), 'won'),
      closeDate: closeDate ?? (await today(tx)),
    });
  });
}

/** @internal `opportunities.closeLost`: move to the pipeline's lost stage with a reason. */
export async function closeLost(
  state: ScopeState,
  id: string,
  options: unknown,
): Promise<StoredRecord> {
  const parsed = closeLostSchema.safeParse(options);
  if (!parsed.success) throw fromZodError('opportunity', parsed.error);
  const { version, closeDate, lostReason } = parsed.data;
  return inTransaction(state, async (tx) => {
    const current = await getVisible(tx, opportunityObject, id);
    return updateRecord(tx, opportunityObject, id, {
      version,
      lostReason,
      stage: await stageWithStatus(tx, String(current.pipelineId), 'lost'),
      closeDate: closeDate ?? (await today(tx)),
    });
  });
}
