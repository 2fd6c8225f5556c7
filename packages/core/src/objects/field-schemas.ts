import { z } from 'zod';
import { recordIdPattern } from '../ids/id.js';
import { currencyCodeSchema } from '../money/currency.js';

/**
 * Any stored text: a string without U+0000. PostgreSQL text and jsonb cannot hold a NUL, so
 * refusing it here keeps SQLite and PostgreSQL accepting the same values.
 */
export const plainText = z
  .string()
  .refine((value) => !value.includes('\u0000'), { message: 'must not contain a NUL character' });

/** A required short text (names, subjects, stages). */
export const requiredText = plainText.min(1).max(255);

/** A long free text (descriptions). */
export const longText = plainText.max(32_000);

/** A record id reference (a foreign key within the same tenant). */
export const idSchema = plainText.min(1).max(64);

/**
 * The `id` a caller may choose on create: 1-64 of letters, digits and `_ . : -` (UUIDs, ULIDs,
 * `demo-acc-1`, `crm:42` fit).
 */
export const clientIdSchema = z.string().regex(recordIdPattern, {
  message: 'must be 1-64 characters of A-Z, a-z, 0-9, _ . : -',
});

/** An optional reference that may be cleared with `null`. */
export const optionalRef = idSchema.nullable().optional();

/** An optional short text that may be cleared with `null`. */
export const optionalText = plainText.max(1000).nullable().optional();

/** A calendar day `YYYY-MM-DD`. */
export const dateSchema = z.iso.date();

/** A point in time, stored as an ISO-8601 UTC string. */
export const timestampSchema = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString());

/**
 * Money in integer minor units, never negative. A fraction of a minor unit (`1234.5` cents) is
 * refused with its own message rather than rounded: it usually means major units were sent.
 */
export const minorUnitsSchema = z
  .number()
  .int({
    error: (issue) =>
      `must be a whole number of minor units (cents: 12.34 EUR is 1234); ${String(issue.input)} is not, and amounts are not rounded`,
  })
  .nonnegative()
  .max(Number.MAX_SAFE_INTEGER);

/** A currency code; when left out, the tenant's base currency is used. */
export const optionalCurrency = currencyCodeSchema.optional();

/** A percentage 0..100. */
export const percentSchema = z.number().min(0).max(100);

/**
 * The columns every record has, which Rapport sets and callers cannot write.
 *
 * @example
 * const { id, version, createdAt } = record;
 */
export interface SystemFields {
  /** The tenant the record belongs to. */
  readonly tenantId: string;
  /** The record id (UUID v7 unless given on create). */
  readonly id: string;
  /** Starts at 1, +1 on every update; pass it back on update for optimistic concurrency. */
  readonly version: number;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** Actor id. */
  readonly createdBy: string;
  /** ISO-8601 UTC. */
  readonly updatedAt: string;
  /** Actor id. */
  readonly updatedBy: string;
  /** An id from another system, unique per tenant and object; the key of upserts and imports. */
  readonly externalId: string | null;
}

/** Names of the system columns. */
export const systemFieldNames = [
  'tenantId',
  'id',
  'version',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'externalId',
] as const;
