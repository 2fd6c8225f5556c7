import { coreDbOf, type ScopeState } from '../engine/engine-state.js';
import { RapportError } from '../errors/rapport-error.js';

/** The zone each transaction read, by its transaction: read (and locked) once per transaction. */
const zones = new WeakMap<object, Promise<string>>();

/**
 * @internal The time zone the tenant's timestamp-dated rollup rows are keyed by, read in the
 * write's own transaction (never the scope's cached tenant, which may predate a zone change).
 * Where transactions run side by side, the tenant row is read FOR SHARE: a concurrent zone change
 * (an UPDATE of that row, which then recomputes those rows) either waits for this write to commit
 * and recomputes with its record, or commits first and this read waits for it and sees the new
 * zone. Either way no row is keyed by a zone that is no longer the tenant's.
 */
export function tenantZone(state: ScopeState): Promise<string> {
  const key = state.tx;
  const known = key ? zones.get(key) : undefined;
  if (known) return known;
  const read = readZone(state);
  if (key) zones.set(key, read);
  return read;
}

async function readZone(state: ScopeState): Promise<string> {
  let query = coreDbOf(state)
    .selectFrom('tenants')
    .select('timeZone')
    .where('id', '=', state.tenantId);
  if (state.engine.storage.concurrentTransactions) query = query.forShare();
  const row = await query.executeTakeFirst();
  if (!row)
    throw new RapportError('NOT_FOUND', `tenant ${state.tenantId} does not exist`, {
      object: 'tenant',
      id: state.tenantId,
    });
  return row.timeZone;
}

/**
 * @internal Records the zone a transaction just set (a settings update), so its later writes
 * key by the new zone, not the one read before the change.
 */
export function zoneChanged(state: ScopeState, timeZone: string): void {
  if (state.tx) zones.set(state.tx, Promise.resolve(timeZone));
}
