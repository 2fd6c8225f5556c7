import { isUtf8 } from 'node:buffer';
import { createReadStream, readFileSync } from 'node:fs';
import { InputError } from '../errors/cli-errors.js';

/**
 * Where a file first breaks UTF-8: the 1-based line, the byte offset in the file and the byte.
 *
 * @example
 * const at: Utf8Break = { line: 3, offset: 41, byte: 0xe9 };
 */
export interface Utf8Break {
  readonly line: number;
  readonly offset: number;
  readonly byte: number;
}

/** The size of the sequence a lead byte starts (0 for a byte no sequence starts with). */
function sequenceSize(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  return lead >= 0xc0 ? 2 : 0;
}

/** The offset of the first byte that starts no valid UTF-8 sequence; -1 when all are valid. */
function firstBreak(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) {
    const size = sequenceSize(bytes[at] ?? 0);
    // isUtf8 judges the sequence itself: overlong forms, surrogates, past U+10FFFF, truncation.
    if (size === 0 || !isUtf8(bytes.subarray(at, at + size))) return at;
    at += size;
  }
  return -1;
}

/** Where the last, possibly unfinished sequence of a chunk starts (the chunk length if none). */
function unfinishedTail(bytes: Uint8Array): number {
  for (let at = bytes.length - 1; at >= Math.max(0, bytes.length - 3); at--) {
    const byte = bytes[at] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    return bytes.length - at < sequenceSize(byte) ? at : bytes.length;
  }
  return bytes.length;
}

/** Line breaks (LF, CRLF or a lone CR, as the CSV reader counts them) in a run of bytes. */
function lineBreaks(bytes: Uint8Array, lastWasCr: boolean): { count: number; endsWithCr: boolean } {
  let count = 0;
  let previousCr = lastWasCr;
  for (const byte of bytes) {
    if (byte === 10 && !previousCr) count++;
    else if (byte === 13) count++;
    previousCr = byte === 13;
  }
  return { count, endsWithCr: previousCr };
}

/**
 * Reads a file once and finds its first byte that is not UTF-8, streaming (memory stays flat).
 * A BOM is UTF-8 and passes.
 *
 * @example
 * const broken = await findUtf8Break('leads.csv'); // undefined, or { line: 3, ... }
 */
export async function findUtf8Break(path: string): Promise<Utf8Break | undefined> {
  let carry: Uint8Array = new Uint8Array(0);
  let carryOffset = 0;
  let line = 1;
  let lastWasCr = false;
  const broken = (bytes: Uint8Array, at: number): Utf8Break => ({
    line: line + lineBreaks(bytes.subarray(0, at), lastWasCr).count,
    offset: carryOffset + at,
    byte: bytes[at] ?? 0,
  });
  for await (const chunk of createReadStream(path)) {
    const bytes: Uint8Array = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const end = unfinishedTail(bytes);
    const whole = bytes.subarray(0, end);
    if (!isUtf8(whole)) return broken(whole, firstBreak(whole));
    const counted = lineBreaks(whole, lastWasCr);
    line += counted.count;
    lastWasCr = counted.endsWithCr;
    carryOffset += end;
    carry = bytes.slice(end);
  }
  // A sequence the file ends in the middle of.
  if (carry.length > 0) return broken(carry, 0);
  return undefined;
}

function utf8Error(path: string, broken: Utf8Break): InputError {
  const byte = `0x${broken.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return new InputError(
    `${path}:${broken.line}: INVALID_UTF8 byte ${byte} at offset ${broken.offset} is not UTF-8; save the file as UTF-8 (a BOM is fine; Excel: "CSV UTF-8"). Nothing was imported`,
    'INVALID_UTF8',
  );
}

/**
 * A small text file (a config or mapping) read as UTF-8, without its BOM; a byte that is not
 * UTF-8 is an InputError `INVALID_UTF8` naming the line, not a U+FFFD in a value map.
 *
 * @example
 * const text = readUtf8File('hubspot-deals.json');
 */
export function readUtf8File(path: string): string {
  const bytes = readFileSync(path);
  if (!isUtf8(bytes)) {
    const at = firstBreak(bytes);
    const line = 1 + lineBreaks(bytes.subarray(0, at), false).count;
    throw utf8Error(path, { line, offset: at, byte: bytes[at] ?? 0 });
  }
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/**
 * Refuses a file that is not UTF-8 before anything of it is read as rows: a byte outside UTF-8
 * would otherwise become U+FFFD in the database, silently. The error names the line.
 *
 * @example
 * await assertUtf8('leads.csv'); // throws InputError 'leads.csv:3: INVALID_UTF8 ...'
 */
export async function assertUtf8(path: string): Promise<void> {
  const broken = await findUtf8Break(path);
  if (broken) throw utf8Error(path, broken);
}
