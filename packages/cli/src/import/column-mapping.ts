import { readFileSync } from 'node:fs';
import { type ObjectName, standardObjects } from '@rapport/core';
import { InputError } from '../errors/cli-errors.js';

/**
 * Which field each CSV column fills (`null`: the column is skipped).
 *
 * @example
 * const mapping = buildColumnMapping('lead', ['Id', 'Last Name'], {});
 * mapping.targets; // ['externalId', 'lastName']
 */
export interface ColumnMapping {
  /** Per header column, the field it fills, `custom.<name>` for a custom field, or null. */
  readonly targets: readonly (string | null)[];
  /** The column that fills a field, for error messages. */
  columnOf(field: string): string | undefined;
}

/** Options of {@link buildColumnMapping}. */
export interface ColumnMappingOptions {
  /** `--map column=field` pairs (`column=` skips the column). */
  readonly map?: readonly string[];
  /** A JSON file `{ "column": "field" | null }` (or the same under `"columns"`). */
  readonly mappingFile?: string;
}

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The fields of an object a CSV may fill: writable fields and the external id. */
export function writableFields(object: ObjectName): string[] {
  const definition = standardObjects[object];
  const readonly = new Set<string>(definition.readonlyFields);
  return ['externalId', ...Object.keys(definition.fields.shape).filter((f) => !readonly.has(f))];
}

function readMappingFile(path: string): Record<string, string | null> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`mapping file ${path}: ${(error as Error).message}`);
  }
  const map =
    json && typeof json === 'object' && 'columns' in json
      ? (json as { columns: unknown }).columns
      : json;
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    throw new InputError(`mapping file ${path}: expected an object { "column": "field" }`);
  }
  const out: Record<string, string | null> = {};
  for (const [column, field] of Object.entries(map)) {
    if (field !== null && typeof field !== 'string') {
      throw new InputError(`mapping file ${path}: "${column}" must map to a field name or null`);
    }
    out[column] = field === '' ? null : field;
  }
  return out;
}

/**
 * Maps CSV columns to fields of an object: explicit `--map` pairs first, then the mapping file,
 * then by name (case, spaces, `_` and `-` ignored: `Close Date` fills `closeDate`; `Id` or
 * `External Id` fill `externalId`). A column that maps to nothing, a field that does not exist
 * and a missing `externalId` are input errors: an import must be repeatable without duplicates.
 *
 * @example
 * buildColumnMapping('opportunity', ['Deal', 'Close'], { map: ['Deal=name', 'Close=closeDate'] });
 */
export function buildColumnMapping(
  object: ObjectName,
  header: readonly string[],
  options: ColumnMappingOptions,
): ColumnMapping {
  const fields = writableFields(object);
  const byNormalName = new Map(fields.map((field) => [normalise(field), field]));
  byNormalName.set('id', 'externalId');
  const explicit: Record<string, string | null> = options.mappingFile
    ? readMappingFile(options.mappingFile)
    : {};
  for (const pair of options.map ?? []) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new InputError(`--map ${pair}: expected column=field`);
    const field = pair.slice(at + 1).trim();
    explicit[pair.slice(0, at).trim()] = field === '' ? null : field;
  }
  for (const column of Object.keys(explicit)) {
    if (!header.includes(column)) {
      throw new InputError(
        `mapping names column "${column}", which the file does not have (it has: ${header.join(', ')})`,
      );
    }
  }
  const unknown: string[] = [];
  const targets = header.map((column) => {
    if (column === '') return null;
    if (column in explicit) {
      const field = explicit[column] ?? null;
      if (field !== null && !field.startsWith('custom.') && !fields.includes(field)) {
        throw new InputError(
          `column "${column}" maps to "${field}", which is not a field of ${object} (fields: ${fields.join(', ')})`,
        );
      }
      return field;
    }
    const field = byNormalName.get(normalise(column));
    if (!field) unknown.push(column);
    return field ?? null;
  });
  if (unknown.length > 0) {
    throw new InputError(
      `column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} match${unknown.length > 1 ? '' : 'es'} no field of ${object}; ` +
        `map with --map "${unknown[0]}=<field>" or skip with --map "${unknown[0]}=" (fields: ${fields.join(', ')})`,
    );
  }
  const seen = new Map<string, string>();
  for (const [index, field] of targets.entries()) {
    if (field === null) continue;
    const other = seen.get(field);
    if (other) throw new InputError(`columns "${other}" and "${header[index]}" both fill ${field}`);
    seen.set(field, header[index] ?? '');
  }
  if (!seen.has('externalId')) {
    throw new InputError(
      `no column fills externalId: map the column with the record's id in your system (--map "<column>=externalId"), so that importing again updates instead of duplicating`,
    );
  }
  return {
    targets,
    columnOf: (field) => seen.get(field) ?? seen.get(`custom.${field}`),
  };
}
