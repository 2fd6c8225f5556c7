import {
  type AnyObjectDefinition,
  filterOperators,
  publicFieldsOf,
  type RapportIssue,
} from '@rapport/core';
import type { z } from 'zod';
import { HttpProblem } from '../problems/problem-details.js';

/** The JSON kind of a field's values, which decides how a query string value is read. */
export type FieldKind = 'string' | 'number' | 'boolean';

const wrappers = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch']);

/**
 * @internal The kind of a zod field, looking through optional, nullable and defaults.
 *
 * @example
 * fieldKind(z.number().int().optional()); // 'number'
 */
export function fieldKind(schema: z.ZodType | undefined): FieldKind {
  let def = schema?._zod.def;
  for (let depth = 0; depth < 8 && def; depth++) {
    if (def.type === 'number' || def.type === 'int' || def.type === 'bigint') return 'number';
    if (def.type === 'boolean') return 'boolean';
    if (!wrappers.has(def.type) || !('innerType' in def)) return 'string';
    // Cast: zod types innerType with its generic; walked here erased.
    def = (def.innerType as z.ZodType)._zod.def;
  }
  return 'string';
}

const systemKinds: Readonly<Record<string, FieldKind>> = {
  tenantId: 'string',
  id: 'string',
  version: 'number',
  createdAt: 'string',
  createdBy: 'string',
  updatedAt: 'string',
  updatedBy: 'string',
  externalId: 'string',
};

const operators: ReadonlySet<string> = new Set(filterOperators);

/** @internal A list query as the API passes it on, before the engine checks field names. */
export interface RecordListQuery {
  readonly where: Record<string, unknown>;
  readonly orderBy?: { readonly field: string; readonly direction: 'asc' | 'desc' };
  readonly limit?: number;
  readonly cursor?: string;
}

/** Names of the query parameters that are not filters. */
export const listControlParameters = ['limit', 'cursor', 'sort'] as const;

function readValue(
  raw: string,
  kind: FieldKind,
  path: readonly string[],
): string | number | boolean {
  if (kind === 'string') return raw;
  if (kind === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
  } else if (raw.trim() !== '' && Number.isFinite(Number(raw))) {
    return Number(raw);
  }
  throw badParameter(path, `must be a ${kind}, not ${JSON.stringify(raw)}`);
}

function badParameter(path: readonly (string | number)[], message: string): HttpProblem {
  const issue: RapportIssue = { path, message, code: 'invalid_parameter' };
  return new HttpProblem('BAD_REQUEST', `${path.join('.')} ${message}`, [issue]);
}

/**
 * @internal Reads a list query from URL parameters:
 * `?status=open&amount[gte]=1000&ownerId[in]=u1,u2&custom.nps[gte]=7&sort=-amount&limit=20&cursor=...`.
 * Values are read as the field's kind; unknown fields are left for the engine to reject by name.
 *
 * @example
 * parseListQuery(new URL('http://x/?stage=Prospecting&sort=-amount').searchParams, standardObjects.opportunity, customSchema);
 */
export function parseListQuery(
  params: URLSearchParams,
  definition: AnyObjectDefinition,
  customSchema: z.ZodObject | undefined,
): RecordListQuery {
  const where: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  // Cast: an erased object definition's shape is a record of zod types. Hidden fields are not
  // in it: a filter on one is read as on an unknown field, which the engine refuses by name.
  const shape = publicFieldsOf(definition).shape as Record<string, z.ZodType>;
  let limit: number | undefined;
  let cursor: string | undefined;
  let orderBy: { field: string; direction: 'asc' | 'desc' } | undefined;

  for (const [name, raw] of params) {
    if (name === 'limit') {
      limit = Number(readValue(raw, 'number', ['limit']));
      continue;
    }
    if (name === 'cursor') {
      cursor = raw;
      continue;
    }
    if (name === 'sort') {
      orderBy = raw.startsWith('-')
        ? { field: raw.slice(1), direction: 'desc' }
        : { field: raw, direction: 'asc' };
      continue;
    }
    const match = name.match(/^(custom\.)?([A-Za-z][A-Za-z0-9_]*)(?:\[([A-Za-z]+)\])?$/);
    if (!match) throw badParameter([name], 'is not a filter (field or field[operator])');
    const [, customPrefix, field = '', operator] = match;
    if (operator !== undefined && !operators.has(operator)) {
      throw badParameter(['where', field, operator], 'is not an operator');
    }
    const kind = customPrefix
      ? // Cast: custom fields are declared at run time; their shape is a record of zod types.
        fieldKind(customSchema?.shape[field] as z.ZodType | undefined)
      : (systemKinds[field] ?? fieldKind(shape[field]));
    const path = ['where', ...(customPrefix ? ['custom'] : []), field];
    let value: unknown;
    if (operator === 'isNull') value = readValue(raw, 'boolean', [...path, operator]);
    else if (operator === 'in' || operator === 'notIn')
      value =
        raw === '' ? [] : raw.split(',').map((part) => readValue(part, kind, [...path, operator]));
    else value = readValue(raw, kind, path);
    const target = customPrefix ? custom : where;
    if (operator === undefined) {
      target[field] = value;
    } else {
      const previous = target[field];
      target[field] = {
        ...(typeof previous === 'object' && previous !== null ? previous : {}),
        [operator]: value,
      };
    }
  }
  if (Object.keys(custom).length > 0) where.custom = custom;
  return {
    where,
    ...(orderBy ? { orderBy } : {}),
    ...(limit === undefined ? {} : { limit }),
    ...(cursor === undefined ? {} : { cursor }),
  };
}
