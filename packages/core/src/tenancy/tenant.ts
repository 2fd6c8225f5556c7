import { z } from 'zod';
import { currencyCodeSchema } from '../money/currency.js';
import { requiredText } from '../objects/field-schemas.js';

/** Whether a string names an IANA time zone this runtime knows. */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * Settings of a tenant: base currency, time zone and fiscal year.
 *
 * @example
 * await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR', timeZone: 'Europe/Berlin' });
 */
export const tenantSettingsSchema = z.strictObject({
  name: requiredText,
  baseCurrency: currencyCodeSchema.default('EUR'),
  timeZone: z.string().refine(isTimeZone, { message: 'is not an IANA time zone' }).default('UTC'),
  fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
});

/** Input of `crm.createTenant`. */
export const createTenantSchema = tenantSettingsSchema.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, _ . -'),
});

/** Input of `crm.createTenant`. */
export type CreateTenantInput = z.input<typeof createTenantSchema>;

/** A tenant as stored. */
export interface Tenant {
  /** The tenant id. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** ISO 4217 code every sum converts to. */
  readonly baseCurrency: string;
  /** IANA time zone in which days, months and quarters are cut. */
  readonly timeZone: string;
  /** 1 = January. */
  readonly fiscalYearStartMonth: number;
  /** The pipeline new opportunities join when none is given. */
  readonly defaultPipelineId: string | null;
  /** Starts at 1. */
  readonly version: number;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** ISO-8601 UTC. */
  readonly updatedAt: string;
}

/**
 * Today's date `YYYY-MM-DD` in a time zone.
 *
 * @example
 * dayInTimeZone(new Date('2026-01-01T01:00:00Z'), 'America/New_York'); // '2025-12-31'
 */
export function dayInTimeZone(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(instant);
}

// Building an Intl.DateTimeFormat costs about 100 microseconds (measured: most of a create's
// time in JavaScript, which asks for today's date); formatting with a built one, about 1. The
// time zones a process sees are few (each tenant has one).
const dayFormats = new Map<string, Intl.DateTimeFormat>();
