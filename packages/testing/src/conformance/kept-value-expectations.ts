import type { CrmRecord } from '@rapport/core';

/** @internal A stage history entry, as the kept-value groups read it. */
export type History = CrmRecord<'stageHistory'>;

/** @internal An instant as milliseconds (dialects spell stored timestamps differently), or null. */
export function instant(value: unknown): number | null {
  return value === null || value === undefined ? null : Date.parse(String(value));
}

/**
 * @internal What a stage history entry's kept values must be, from the deal's whole history: the
 * first strictly later entry in another stage, and the first such entry that is not lost.
 */
export function expectedExits(rows: readonly History[]) {
  return rows.map((row) => {
    const later = rows.filter(
      (next) => Date.parse(next.createdAt) > Date.parse(row.createdAt) && next.stage !== row.stage,
    );
    const first = (list: readonly History[]) =>
      list.length === 0 ? null : Math.min(...list.map((next) => Date.parse(next.createdAt)));
    return {
      id: row.id,
      exitedAt: first(later),
      advancedAt: first(later.filter((next) => next.status !== 'lost')),
    };
  });
}

/** @internal The kept values of stage history entries, as instants to compare. */
export function keptExits(rows: readonly History[]) {
  return rows.map((row) => ({
    id: row.id,
    exitedAt: instant(row.exitedAt),
    advancedAt: instant(row.advancedAt),
  }));
}
