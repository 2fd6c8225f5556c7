import { randomBytes } from 'node:crypto';

/**
 * What a record id may be: 1-64 of letters, digits and `_ . : -`, safe in URLs, logs, CSV and
 * shells. Every id Rapport makes (UUID v7) fits, and a client-chosen id must; an API can refuse
 * anything else before it reads.
 *
 * @example
 * recordIdPattern.test('crm:42'); // true
 * recordIdPattern.test('../etc'); // false
 */
export const recordIdPattern = /^[A-Za-z0-9_.:-]{1,64}$/;

// One call to the system's random source per 256 ids instead of one per id.
let pool = randomBytes(4096);
let poolOffset = 0;

// Ids of one millisecond carry a counter (RFC 9562, 6.2 method 1) so that they sort in the
// order they were made: 30 bits, started at a random value below 2^29 in each millisecond.
const counterBits = 30;
let lastTime = -1;
let counter = 0;

/**
 * A new record id: a UUID version 7, so ids sort by creation time, which keeps B-tree inserts
 * at the right edge of the index and makes `id` a useful tie-breaker in pagination. Ids made in
 * one process within one millisecond sort in the order they were made too (a counter after the
 * timestamp), so a batch of thousands of rows still appends to its indexes; 44 bits stay random.
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
  if (now === lastTime && counter < 2 ** counterBits - 1) {
    counter++;
  } else {
    // A new millisecond (or, after 2^29 ids in one, a fresh random start).
    lastTime = now;
    counter = (bytes.readUInt32BE(12) >>> 3) & (2 ** (counterBits - 1) - 1);
  }
  bytes.writeUIntBE(now, 0, 6);
  // version 7 | counter bits 29-26; counter bits 25-18
  bytes[6] = 0x70 | ((counter >>> 26) & 0x0f);
  bytes[7] = (counter >>> 18) & 0xff;
  // RFC 4122 variant | counter bits 17-12; counter bits 11-4; counter bits 3-0 | random
  bytes[8] = 0x80 | ((counter >>> 12) & 0x3f);
  bytes[9] = (counter >>> 4) & 0xff;
  bytes[10] = ((counter & 0x0f) << 4) | ((bytes[10] ?? 0) & 0x0f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
