import type { Page } from '@rapport/core';

/**
 * Every record of a scoped list, page by page (1000 a page) through the cursor.
 *
 * @example
 * const leads = await listAll((cursor) => scope.leads.list({ limit: 1000, cursor }));
 */
export async function listAll<TRecord>(
  page: (cursor: string | undefined) => Promise<Page<TRecord>>,
): Promise<TRecord[]> {
  const records: TRecord[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    records.push(...next.items);
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
  return records;
}
