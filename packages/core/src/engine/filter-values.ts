import { z } from 'zod';
import type { AnyObjectDefinition, ColumnKind } from '../objects/object-definition.js';

/** The column kind of every system field (field-schemas.ts names them). */
const systemColumns: Readonly<Record<string, ColumnKind>> = {
  tenantId: 'text',
  id: 'text',
  version: 'integer',
  createdAt: 'timestamp',
  createdBy: 'text',
  updatedAt: 'timestamp',
  updatedBy: 'text',
  externalId: 'text',
};

/**
 * @internal The column kind of a stored or system field, or undefined for an unknown field.
 *
 * @example
 * columnKindOf(opportunityObject, 'closeDate'); // 'date'
 */
export function columnKindOf(
  definition: AnyObjectDefinition,
  field: string,
): ColumnKind | undefined {
  const kinds: Readonly<Record<string, ColumnKind>> = definition.columns;
  if (Object.hasOwn(kinds, field)) return kinds[field];
  return Object.hasOwn(systemColumns, field) ? systemColumns[field] : undefined;
}

// A real calendar day: zod's ISO date checks the days of each month and leap years.
const calendarDay = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });

/** What a value of each kind must be, for the reason of a VALIDATION error. */
const expected: Readonly<Record<ColumnKind, string>> = {
  text: 'a text without NUL characters',
  integer: 'a whole number',
  number: 'a finite number',
  money: 'a whole number of minor units',
  date: 'a calendar day YYYY-MM-DD',
  timestamp: 'an ISO-8601 date-time or a calendar day',
  json: 'null (JSON fields can only be compared with null)',
  boolean: 'true or false',
};

/**
 * @internal The value as the column compares it, or a reason when it is not a value of the kind:
 * days must exist (2026-02-30 does not), instants are normalised to UTC ISO (how they are stored
 * on SQLite), numbers are finite and whole numbers safe. Both dialects then compare like with
 * like, so a bad value is the caller's VALIDATION error, never an empty page or a driver error.
 *
 * @example
 * comparableValue('date', '2026-02-30'); // { reason: 'must be a calendar day YYYY-MM-DD' }
 */
export function comparableValue(
  kind: ColumnKind,
  value: unknown,
): { readonly value: unknown } | { readonly reason: string } {
  const refused = { reason: `must be ${expected[kind]}, not ${describe(value)}` };
  switch (kind) {
    case 'text':
      return typeof value === 'string' && !value.includes('\u0000') ? { value } : refused;
    case 'integer':
    case 'money':
      return Number.isSafeInteger(value) ? { value } : refused;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? { value } : refused;
    case 'date':
      return calendarDay.safeParse(value).success ? { value } : refused;
    case 'timestamp':
      if (calendarDay.safeParse(value).success) return { value: `${value}T00:00:00.000Z` };
      if (typeof value === 'string' && isoInstant.safeParse(value).success) {
        const instant = new Date(value);
        if (!Number.isNaN(instant.getTime())) return { value: instant.toISOString() };
      }
      return refused;
    case 'boolean':
      return typeof value === 'boolean' ? { value } : refused;
    case 'json':
      return refused;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  }
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
