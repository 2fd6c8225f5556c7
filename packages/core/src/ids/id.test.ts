import { describe, expect, it } from 'vitest';
import { newId, recordIdPattern } from './id.js';

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp at the front of a UUID v7. */
function timestampOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('newId', () => {
  it('has the UUID v7 layout: version 7, RFC 4122 variant, lowercase hex', () => {
    for (let i = 0; i < 1000; i++) expect(newId()).toMatch(uuidV7);
  });

  it('fits the record id pattern, which refuses what is unsafe in URLs, logs and shells', () => {
    for (let i = 0; i < 1000; i++) expect(newId()).toMatch(recordIdPattern);
    for (const id of ['crm:42', 'demo-acc-1', 'A.b_c', 'x'.repeat(64)])
      expect(id).toMatch(recordIdPattern);
    for (const id of ['', 'a b', '../x', 'x'.repeat(65), 'ä', 'a/b', 'a\u0000', "a'"])
      expect(id).not.toMatch(recordIdPattern);
  });

  it('carries the given time in its first 48 bits', () => {
    const now = Date.parse('2026-11-29T12:34:56.789Z');
    expect(timestampOf(newId(now))).toBe(now);
    expect(newId(0).startsWith('00000000-0000-7')).toBe(true);
    // The largest 48-bit millisecond count (the year 10889) still fits.
    expect(timestampOf(newId(2 ** 48 - 1))).toBe(2 ** 48 - 1);
  });

  it('sorts as text in the order of creation time', () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const times = Array.from({ length: 500 }, (_, i) => start + i * 7 + (i % 3));
    const ids = times.map((time) => newId(time));
    expect([...ids].sort()).toEqual(ids);
    // Across a byte boundary of the timestamp too (0x..ff -> 0x..100).
    expect(newId(0xff) < newId(0x100)).toBe(true);
    expect(newId(0xffffff) < newId(0x1000000)).toBe(true);
  });

  it('does not repeat, even within one millisecond and past the random pool', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 5000 }, () => newId(now)));
    expect(ids.size).toBe(5000);
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
  });
});

describe('newId within one millisecond', () => {
  it('sorts in the order the ids were made, past thousands per millisecond', () => {
    const now = Date.parse('2026-12-31T12:00:00.000Z');
    const ids = Array.from({ length: 20_000 }, () => newId(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(uuidV7);
      expect(timestampOf(id)).toBe(now);
    }
  });

  it('starts each millisecond at a random point, so two processes rarely share a prefix', () => {
    const now = Date.parse('2026-12-31T12:00:00.000Z');
    const starts = new Set<string>();
    // A new millisecond each time starts the counter afresh.
    for (let i = 0; i < 50; i++) starts.add(newId(now + i).slice(15, 23));
    expect(starts.size).toBe(50);
  });
});
