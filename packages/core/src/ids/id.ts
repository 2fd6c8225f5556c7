import { randomBytes } from 'node:crypto';

// One call to the system's random source per 256 ids instead of one per id.
let pool = randomBytes(4096);
let poolOffset = 0;

/**
 * A new record id: a UUID version 7, so ids sort by creation time, which keeps B-tree inserts
 * at the right edge of the index and makes `id` a useful tie-breaker in pagination.
 *
 * @example
 * const id = newId(); // '0193a1c2-...'
 */
export function newId(now = Date.now()): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
