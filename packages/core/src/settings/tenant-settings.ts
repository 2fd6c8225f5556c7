import { listRates } from '../engine/currencies.js';
import { coreDbOf, nowOf, type ScopeState } from '../engine/engine-state.js';
import { loadTenant } from '../engine/load-tenant.js';
import { requireAdmin } from '../engine/roles.js';
import { inTransaction } from '../engine/transaction.js';
import { validationError } from '../errors/rapport-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import { idSchema } from '../objects/field-schemas.js';
import { forgetForeignBuilds, lockTenantRow } from '../rollups/rollup-guard.js';
import { rezoneTenant } from '../rollups/rollup-rebuild.js';
import { keptRollupsOf } from '../rollups/rollup-upkeep.js';
import { pipelineStages } from '../sales/pipeline-stages.js';
import { type Tenant, tenantSettingsSchema } from '../tenancy/tenant.js';

const settingsPatchSchema = tenantSettingsSchema
  .partial()
  .extend({ defaultPipelineId: idSchema.optional() })
  .strict();

/** @internal `scope.updateSettings`: admins only; the base currency only while nothing uses it. */
export async function updateSettings(state: ScopeState, patch: unknown): Promise<Tenant> {
  requireAdmin(state, 'change tenant settings');
  const parsed = settingsPatchSchema.safeParse(patch);
  if (!parsed.success) throw fromZodError('tenant', parsed.error);
  return inTransaction(state, async (tx) => {
    // Read in this transaction: the scope's cached tenant may be stale (a rolled-back change
    // leaves it behind), and what changed (the zone: rollup rows to recompute) is decided on it.
    delete tx.cache.tenant;
    // Two changes side by side would each decide on the zone they read: one at a time. (The lock
    // also waits for a rebuild, and for writers, whose key share it conflicts with.)
    await lockTenantRow(tx);
    const current = await loadTenant(tx);
    if (parsed.data.defaultPipelineId !== undefined)
      await pipelineStages(tx, parsed.data.defaultPipelineId);
    if (
      parsed.data.baseCurrency !== undefined &&
      parsed.data.baseCurrency !== current.baseCurrency
    ) {
      // Stored rates are relative to the old base; silently reinterpreting them would corrupt every sum.
      const rates = await listRates(tx);
      const deals = await coreDbOf(tx)
        .selectFrom('opportunities')
        .select('id')
        .where('tenantId', '=', tx.tenantId)
        .limit(1)
        .execute();
      if (rates.length > 0 || deals.length > 0) {
        throw validationError(
          'tenant',
          ['baseCurrency'],
          'cannot change once exchange rates or opportunities exist',
          'base_currency_in_use',
        );
      }
    }
    const updatedAt = nowOf(tx).toISOString();
    await coreDbOf(tx)
      .updateTable('tenants')
      .set({ ...parsed.data, version: current.version + 1, updatedAt })
      .where('id', '=', tx.tenantId)
      .execute();
    delete tx.cache.tenant;
    const plan = keptRollupsOf(tx.engine);
    const { timeZone } = parsed.data;
    // Timestamp-dated rollup rows are keyed by local months: recomputed in the new zone, here.
    if (timeZone !== undefined && timeZone !== current.timeZone) {
      // Rollups other engines keep cannot be recomputed here: they scan until their rebuild.
      await forgetForeignBuilds(tx);
      if (plan) await rezoneTenant(tx, plan.rollups, timeZone);
    }
    const updated = await loadTenant(tx);
    // Not kept in the scope's cache, which outlives this transaction: were it rolled back, the
    // scope would cut periods in a zone the tenant does not have.
    delete tx.cache.tenant;
    return updated;
  });
}
