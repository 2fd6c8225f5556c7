import { type ObjectName, parseMajorUnits, standardObjects } from '@rapport/core';
import type { ColumnMapping, ColumnRule } from './column-mapping.js';
import { readDate } from './date-formats.js';

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
  // Cast: zod's internals (_zod.def) are walked through a minimal local shape.
  let node = schema as ZodNode | undefined;
  for (let depth = 0; depth < 10 && node?._zod?.def; depth++) {
    const def = node._zod.def;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
        // Cast: zod's internals are walked through a minimal local shape.
        node = def.innerType as ZodNode;
        continue;
      case 'pipe':
        // Cast: zod's internals are walked through a minimal local shape.
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

const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number written with a decimal comma (`1.234,56`) in the usual point form (`1234.56`). */
function pointDecimal(text: string): string {
  return text.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.');
}

function readValue(
  kind: FieldKind,
  text: string,
  currency: string,
  rule: Pick<ColumnRule, 'dateFormat' | 'decimal'>,
): { value: unknown } | { problem: string; field?: string } {
  switch (kind) {
    case 'number':
    case 'money': {
      const written = text.trim();
      const trimmed = rule.decimal === ',' ? pointDecimal(written) : written;
      if (!numberText.test(trimmed)) {
        return {
          problem:
            rule.decimal === ','
              ? `"${text}" is not a number (with a decimal comma: 1.234,56)`
              : `"${text}" is not a number (use . for decimals, no thousands separators; or set the decimal comma)`,
        };
      }
      if (kind === 'number') return { value: Number(trimmed) };
      // Exact, from the digits: 12.345 EUR is refused, never rounded to 12.35.
      const money = parseMajorUnits(trimmed, currency);
      if ('minor' in money) return { value: money.minor };
      if (money.code === 'unknown_currency') {
        // The currency is what is wrong: the problem names it, so the currency column is shown.
        return {
          field: 'currency',
          problem: `"${currency}" is not an ISO 4217 currency code, so money cannot be read in it`,
        };
      }
      return { problem: money.reason };
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'y', 'ja', 'wahr'].includes(lower)) return { value: true };
      if (['false', '0', 'no', 'n', 'nein', 'falsch'].includes(lower)) return { value: false };
      return { problem: `"${text}" is not true or false` };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { problem: 'is not valid JSON' };
      }
    case 'date':
    case 'timestamp': {
      const read = readDate(text.trim(), rule.dateFormat);
      if ('problem' in read) return read;
      if (kind === 'date') return { value: read.day };
      return { value: read.instant ?? `${read.day}T00:00:00Z` };
    }
    default:
      return { value: text };
  }
}

/** How rows become upsert inputs: the object's field kinds, custom field kinds, base currency. */
export interface RowReader {
  readonly object: ObjectName;
  readonly mapping: ColumnMapping;
  readonly baseCurrency: string;
  /** The kinds of the object's custom fields (from the config); text otherwise. */
  readonly customKinds?: ReadonlyMap<string, FieldKind>;
  /** Fields the importer reads for itself (history); their kind. */
  readonly extraKinds?: ReadonlyMap<string, FieldKind>;
}

function mapValue(rule: ColumnRule, text: string): { text: string } | { value: unknown } {
  if (!rule.values) return { text };
  const key = text.trim();
  const mapped = key in rule.values ? rule.values[key] : rule.values['*'];
  if (mapped === undefined) return { text };
  if (mapped === null) return { text: '' };
  return typeof mapped === 'string' ? { text: mapped } : { value: mapped };
}

/**
 * Turns one CSV row into the input of `upsert` for an object. Empty cells are left out (a
 * re-import does not clear fields); value maps apply first, then the field's kind reads the text
 * (numbers with the column's decimal separator, dates in the column's format, money in major
 * units of the row's `currency` column or of the tenant's base currency); constants fill the
 * fields no column filled.
 *
 * @example
 * rowToInput({ object: 'opportunity', mapping, baseCurrency: 'EUR' }, ['D-1', 'Big deal', '1200.50', '2026-09-30']);
 * // { input: { externalId: 'D-1', name: 'Big deal', amount: 120050, closeDate: '2026-09-30' }, problems: [] }
 */
export function rowToInput(
  reader: RowReader,
  values: readonly string[],
): { input: Record<string, unknown>; problems: FieldProblem[] } {
  const { object, mapping } = reader;
  const kinds = fieldKinds(object);
  const input: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  const currencyColumn = mapping.rules.findIndex((list) =>
    list.some((r) => r.field === 'currency'),
  );
  const currency =
    (currencyColumn >= 0 ? values[currencyColumn]?.trim() : '') ||
    (typeof mapping.constants.currency === 'string' ? mapping.constants.currency : '') ||
    reader.baseCurrency;
  const put = (field: string, value: unknown) => {
    if (field.startsWith('custom.')) custom[field.slice('custom.'.length)] = value;
    else input[field] = value;
  };
  const kindOf = (field: string): FieldKind =>
    field.startsWith('custom.')
      ? (reader.customKinds?.get(field.slice('custom.'.length)) ?? 'text')
      : (kinds.get(field) ?? reader.extraKinds?.get(field) ?? 'text');
  const read = (rule: ColumnRule, text: string) => {
    const mapped = mapValue(rule, text);
    if ('value' in mapped) return put(rule.field, mapped.value);
    if (mapped.text === '') return;
    if (rule.field === 'externalId') {
      const externalId = mapped.text.trim();
      // Refused here: the engine's upsert looks the external id up before it validates it, and
      // PostgreSQL fails on a NUL in a query with a raw error.
      if (externalId.includes('\u0000')) {
        problems.push({ field: rule.field, message: 'must not contain a NUL character' });
        return;
      }
      return put(rule.field, externalId);
    }
    const result = readValue(kindOf(rule.field), mapped.text, currency, rule);
    if (!('problem' in result)) return put(rule.field, result.value);
    const field = result.field ?? rule.field;
    // Several money cells of one row may blame its one currency.
    if (!problems.some((p) => p.field === field && p.message === result.problem)) {
      problems.push({ field, message: result.problem });
    }
  };
  for (const [index, rules] of mapping.rules.entries()) {
    const text = values[index] ?? '';
    for (const rule of rules) if (text !== '' || rule.values) read(rule, text);
  }
  for (const [field, value] of Object.entries(mapping.constants)) {
    const filled = field.startsWith('custom.') ? field.slice(7) in custom : field in input;
    if (filled) continue;
    if (typeof value === 'string') read({ field }, value);
    else put(field, value);
  }
  if (Object.keys(custom).length > 0) input.custom = custom;
  return { input, problems };
}
