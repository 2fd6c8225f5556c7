/** What an erased personal value is replaced with, everywhere. */
export const erasedPlaceholder = '[erased]';

/**
 * The strings that identify one person, as they were stored before the erasure.
 * `identifying` (email, phone, full name) is replaced wherever it appears; `names` (first and
 * last name alone) only in text about the person's own records, since a surname alone also
 * names other people.
 */
export interface PersonTerms {
  /** Emails, phones and full names. */
  readonly identifying: readonly string[];
  /** First and last names on their own. */
  readonly names: readonly string[];
}

type PersonRecord = {
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
};

function present(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value !== erasedPlaceholder;
}

/** The terms of a person held as a lead and/or a contact. */
export function personTerms(records: readonly (PersonRecord | undefined)[]): PersonTerms {
  const identifying = new Set<string>();
  const names = new Set<string>();
  for (const record of records) {
    if (!record) continue;
    for (const value of [record.email, record.phone]) if (present(value)) identifying.add(value);
    const { firstName, lastName } = record;
    if (present(firstName) && present(lastName)) {
      identifying.add(`${firstName} ${lastName}`);
      identifying.add(`${lastName}, ${firstName}`);
      identifying.add(`${lastName} ${firstName}`);
    }
    for (const value of [firstName, lastName]) if (present(value)) names.add(value);
  }
  // Longest first, so a full name is replaced whole before its parts.
  const byLength = (a: string, b: string) => b.length - a.length;
  return { identifying: [...identifying].sort(byLength), names: [...names].sort(byLength) };
}

function escapeRegex(term: string): string {
  return term.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pattern(terms: readonly string[]): RegExp | undefined {
  if (terms.length === 0) return undefined;
  // Not inside a longer word: "Ann" is not erased from "Annual".
  return new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${terms.map(escapeRegex).join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
}

/**
 * Replaces the person's terms in a text (case-insensitive, whole words): identifying terms
 * always, names alone when `withNames`.
 *
 * @example
 * redactText('Call Ada Lovelace', personTerms([{ firstName: 'Ada', lastName: 'Lovelace' }]), true); // 'Call [erased]'
 */
export function redactText(text: string, terms: PersonTerms, withNames: boolean): string {
  let result = text;
  for (const regex of [pattern(terms.identifying), withNames ? pattern(terms.names) : undefined]) {
    if (regex) result = result.replace(regex, erasedPlaceholder);
  }
  return result;
}

/** Replaces the person's terms in every string inside a JSON value. */
export function redactJson(value: unknown, terms: PersonTerms, withNames: boolean): unknown {
  if (typeof value === 'string') return redactText(value, terms, withNames);
  if (Array.isArray(value)) return value.map((inner) => redactJson(inner, terms, withNames));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, redactJson(inner, terms, withNames)]),
    );
  }
  return value;
}

/** Whether a text mentions any of the person's identifying terms or names (for candidate rows). */
export function likePatterns(terms: PersonTerms): string[] {
  return [...terms.identifying, ...terms.names].map((term) => `%${term.toLowerCase()}%`);
}
