import { type SqlBool, sql } from 'kysely';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import { cellKey, contributions } from './rollup-cells.js';
import type { RollupDefinition } from './rollup-plan.js';

/** Ids per statement: each id is a bound parameter, far below every dialect's limit. */
const idsPerStatement = 500;

/** @internal Adds the contributions of `ids` (times `sign`) into the rollups' cells. */
export async function addContributions(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  ids: readonly string[] | undefined,
  sign: 1 | -1,
): Promise<void> {
  if (rollups.length === 0) return;
  const db = dbOf(state);
  const chunks: (readonly string[] | undefined)[] = [];
  if (ids === undefined) chunks.push(undefined);
  else
    for (let i = 0; i < ids.length; i += idsPerStatement)
      chunks.push(ids.slice(i, i + idsPerStatement));
  for (const chunk of chunks) {
    const [first, ...rest] = rollups.map((rollup) => contributions(state, rollup, chunk, sign));
    if (!first) return;
    const union = rest.reduce((all, query) => all.unionAll(query), first);
    // SQLite needs a WHERE in an INSERT ... SELECT with an upsert clause, to parse it.
    const rows = db.selectFrom(union.as('d')).selectAll('d').where(sql<SqlBool>`1 = 1`);
    await db
      .insertInto('rollupCells')
      .columns(['tenantId', ...cellKey, 'n', 's'])
      .expression(rows)
      .onConflict((conflict) =>
        conflict.columns(['tenantId', ...cellKey]).doUpdateSet({
          n: sql`${sql.ref('rollupCells.n')} + ${sql.ref('excluded.n')}`,
          s: sql`${sql.ref('rollupCells.s')} + ${sql.ref('excluded.s')}`,
        }),
      )
      .execute();
  }
}

/** @internal The rollups a write of `definition` keeps (none when rollups are off). */
export function rollupsOf(state: ScopeState, definition: AnyObjectDefinition) {
  return state.engine.rollups?.byObject.get(definition.name) ?? [];
}

/**
 * @internal The rollups an update of these fields moves a record in: none when no field a
 * rollup reads changed (most edits: names, next steps, descriptions).
 */
export function rollupsChangedBy(
  state: ScopeState,
  definition: AnyObjectDefinition,
  changed: Readonly<Record<string, unknown>>,
  customChanged: boolean,
): readonly RollupDefinition[] {
  const rollups = rollupsOf(state, definition);
  if (rollups.length === 0) return rollups;
  const fields = state.engine.rollups?.fieldsByObject.get(definition.name);
  if (!fields) return [];
  if (customChanged && fields.has('custom')) return rollups;
  for (const field in changed) if (fields.has(field)) return rollups;
  return [];
}
