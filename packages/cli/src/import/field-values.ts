import { minorUnitDigits, type ObjectName, standardObjects } from '@rapport/core';
import type { ColumnMapping } from './column-mapping.js';

/** How a CSV text becomes a field value. */
export type FieldKind = 'text' | 'number' | 'money' | 'boolean' | 'json' | 'date' | 'timestamp';

interface ZodNode {
  readonly _zod?: {
    readonly def?: {
      readonly type?: string;
      readonly format?: string;
      readonly innerType?: unknown;
      readonly in?: unknown;
    };
  };
}

function kindOfSchema(schema: unknown): FieldKind {
  let node = schema as ZodNode | undefined;
  for (let depth = 0; depth < 10 && node?._zod?.def; depth++) {
    const def = node._zod.def;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
        node = def.innerType as ZodNode;
        continue;
      case 'pipe':
        node = def.in as ZodNode;
        continue;
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array':
      case 'object':
      case 'record':
        return 'json';
      case 'string':
        return def.format === 'date' ? 'date' : def.format === 'datetime' ? 'timestamp' : 'text';
      default:
        return 'text';
    }
  }
  return 'text';
}

const kindsCache = new Map<ObjectName, ReadonlyMap<string, FieldKind>>();

/**
 * How each field of an object is read from CSV text, from its zod schema: numbers, money (major
 * units in the file, minor units stored), booleans, JSON, dates and timestamps; text otherwise.
 *
 * @example
 * fieldKinds('opportunity').get('amount'); // 'money'
 */
export function fieldKinds(object: ObjectName): ReadonlyMap<string, FieldKind> {
  let kinds = kindsCache.get(object);
  if (!kinds) {
    const definition = standardObjects[object];
    const money = new Set<string>(definition.moneyFields ?? []);
    const map = new Map<string, FieldKind>();
    for (const [field, schema] of Object.entries(definition.fields.shape)) {
      map.set(field, money.has(field) ? 'money' : kindOfSchema(schema));
    }
    kinds = map;
    kindsCache.set(object, kinds);
  }
  return kinds;
}

/** A field whose CSV text could not be read, before the engine even validates. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/;
const isoDayPrefix = /^(\d{4}-\d{2}-\d{2})[T ]/;
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function readValue(
  kind: FieldKind,
  text: string,
  currency: string,
): { value: unknown } | { problem: string } {
  switch (kind) {
    case 'number':
    case 'money': {
      const trimmed = text.trim();
      if (!numberText.test(trimmed)) {
        return {
          problem: `"${text}" is not a number (use . for decimals, no thousands separators)`,
        };
      }
      const value = Number(trimmed);
      if (kind === 'number') return { value };
      let digits: number;
      try {
        digits = minorUnitDigits(currency);
      } catch {
        return {
          problem: `cannot be read in currency "${currency}", which is not an ISO 4217 code`,
        };
      }
      return { value: Math.round(value * 10 ** digits) };
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'y'].includes(lower)) return { value: true };
      if (['false', '0', 'no', 'n'].includes(lower)) return { value: false };
      return { problem: `"${text}" is not true or false` };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { problem: 'is not valid JSON' };
      }
    case 'date': {
      const trimmed = text.trim();
      return { value: isoDayPrefix.exec(trimmed)?.[1] ?? trimmed };
    }
    case 'timestamp': {
      const trimmed = text.trim();
      if (isoDay.test(trimmed)) return { value: `${trimmed}T00:00:00Z` };
      const spaced = trimmed.replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T');
      return { value: /[zZ]|[+-]\d{2}:?\d{2}$/.test(spaced) ? spaced : `${spaced}Z` };
    }
    default:
      return { value: text };
  }
}

/**
 * Turns one CSV row into the input of `upsert` for an object. Empty cells are left out (a
 * re-import does not clear fields); money columns are in major units of the row's `currency`
 * column, or of the tenant's base currency.
 *
 * @example
 * rowToInput('opportunity', mapping, ['D-1', 'Big deal', '1200.50', '2026-09-30'], 'EUR');
 * // { input: { externalId: 'D-1', name: 'Big deal', amount: 120050, closeDate: '2026-09-30' }, problems: [] }
 */
export function rowToInput(
  object: ObjectName,
  mapping: ColumnMapping,
  values: readonly string[],
  baseCurrency: string,
): { input: Record<string, unknown>; problems: FieldProblem[] } {
  const kinds = fieldKinds(object);
  const input: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  const currencyColumn = mapping.targets.indexOf('currency');
  const currency = (currencyColumn >= 0 ? values[currencyColumn]?.trim() : '') || baseCurrency;
  for (const [index, field] of mapping.targets.entries()) {
    const text = values[index] ?? '';
    if (field === null || text === '') continue;
    if (field.startsWith('custom.')) {
      custom[field.slice('custom.'.length)] = text;
      continue;
    }
    if (field === 'externalId') {
      input.externalId = text.trim();
      continue;
    }
    const read = readValue(kinds.get(field) ?? 'text', text, currency);
    if ('problem' in read) problems.push({ field, message: read.problem });
    else input[field] = read.value;
  }
  if (Object.keys(custom).length > 0) input.custom = custom;
  return { input, problems };
}
