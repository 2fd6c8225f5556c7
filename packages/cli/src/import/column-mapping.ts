import { type ObjectName, standardObjects } from '@rapport/core';
import { type ImportMappingConfig, importMappingSchema } from '../config/config-schema.js';
import { InputError } from '../errors/cli-errors.js';
import { readUtf8File } from './utf8-check.js';

/** How one column fills one field: the field, and how its text is read. */
export interface ColumnRule {
  /** The field (`custom.<name>` for a custom field). */
  readonly field: string;
  /** Cell text (trimmed) to value; `*` is the value of any other text; null leaves it empty. */
  readonly values?: Readonly<Record<string, string | number | boolean | null>> | undefined;
  /** How dates in this column are written (`dd.MM.yyyy`, `MM/dd/yyyy`, `epoch-s`, `epoch-ms`). */
  readonly dateFormat?: string | undefined;
  /** The decimal separator of numbers in this column. */
  readonly decimal?: '.' | ',' | undefined;
}

/**
 * Which fields each CSV column fills, and the constants every row gets.
 *
 * @example
 * const mapping = buildColumnMapping('lead', ['Id', 'Last Name'], {});
 * mapping.rules[0]; // [{ field: 'externalId' }]
 */
export interface ColumnMapping {
  /** Per header column, the fields it fills (empty: the column is skipped). */
  readonly rules: readonly (readonly ColumnRule[])[];
  /** Field values every row gets where no column fills the field. */
  readonly constants: Readonly<Record<string, string | number | boolean>>;
  /** The column that fills a field, for error messages. */
  columnOf(field: string): string | undefined;
}

/** Options of {@link buildColumnMapping}. */
export interface ColumnMappingOptions {
  /** `--map column=field` pairs (`column=` skips the column; a column may be named twice). */
  readonly map?: readonly string[];
  /** A JSON mapping file (see docs/import.md), or a plain `{ "column": "field" | null }`. */
  readonly mappingFile?: string;
  /** A mapping given as data (a named mapping of the config, or a shipped one). */
  readonly mapping?: ImportMappingConfig | undefined;
  /** `--set field=value` constants. */
  readonly constants?: readonly string[];
  /** Columns no rule names and no field matches are skipped instead of refused. */
  readonly ignoreUnmapped?: boolean;
  /** The default date format of date columns. */
  readonly dateFormat?: string | undefined;
  /** The default decimal separator. */
  readonly decimal?: '.' | ',' | undefined;
  /** Custom fields the object has (from the config), without `custom.`. */
  readonly customFields?: readonly string[];
  /** Fields the importer handles itself besides the engine's (history import). */
  readonly extraFields?: readonly string[];
  /** The fields a column may fill, instead of the object's writable ones (stage history). */
  readonly mappableFields?: readonly string[];
  /** Whether a column must fill externalId (default true: rows upsert on it). */
  readonly requireExternalId?: boolean;
}

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The fields of an object a CSV may fill: writable fields and the external id. */
export function writableFields(object: ObjectName): string[] {
  const definition = standardObjects[object];
  const readonly = new Set<string>(definition.readonlyFields);
  return ['externalId', ...Object.keys(definition.fields.shape).filter((f) => !readonly.has(f))];
}

/**
 * Reads a mapping file: the same form as a named mapping of the config (`columns`, `constants`,
 * `dateFormat`, `decimal`, `ignoreUnmapped`; `object` optional), or a plain column-to-field object.
 *
 * @example
 * readMappingFile('hubspot-deals.json').columns;
 */
export function readMappingFile(
  path: string,
): Omit<ImportMappingConfig, 'object'> & { object?: ObjectName } {
  let json: unknown;
  try {
    json = JSON.parse(readUtf8File(path));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `mapping file ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const structured = json && typeof json === 'object' && 'columns' in json;
  const parsed = importMappingSchema
    .partial({ object: true })
    .safeParse(structured ? json : { columns: json });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `mapping file ${path}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

function rulesOf(target: ImportMappingConfig['columns'][string]): ColumnRule[] {
  if (target === null || target === '') return [];
  if (typeof target === 'string') return [{ field: target }];
  if (Array.isArray(target)) return target.map((field) => ({ field }));
  const fields = Array.isArray(target.field) ? target.field : [target.field];
  return fields.map((field) => ({
    field,
    values: target.values,
    dateFormat: target.dateFormat,
    decimal: target.decimal,
  }));
}

/**
 * Maps CSV columns to fields of an object: `--map` pairs first, then the mapping (file, config
 * or shipped), then by name (case, spaces, `_` and `-` ignored: `Close Date` fills `closeDate`;
 * `Id` or `External Id` fill `externalId`). A column may fill several fields (`--map Id=externalId
 * --map Id=name`), a field may be a constant (`--set stage=Closed Won`). A column that maps to
 * nothing (unless `ignoreUnmapped`), a field that does not exist and a missing `externalId` are
 * input errors: an import must be repeatable without duplicates.
 *
 * @example
 * buildColumnMapping('opportunity', ['Deal', 'Close'], { map: ['Deal=name', 'Deal=externalId', 'Close=closeDate'] });
 */
export function buildColumnMapping(
  object: ObjectName,
  header: readonly string[],
  options: ColumnMappingOptions,
): ColumnMapping {
  const custom = options.customFields ?? [];
  const fields = [
    ...(options.mappableFields ?? writableFields(object)),
    ...(options.extraFields ?? []),
  ];
  const known = (field: string) =>
    field.startsWith('custom.')
      ? custom.includes(field.slice('custom.'.length))
      : fields.includes(field);
  const describeFields = () => [...fields, ...custom.map((f) => `custom.${f}`)].join(', ');
  const byNormalName = new Map(fields.map((field) => [normalise(field), field]));
  for (const field of custom) byNormalName.set(normalise(field), `custom.${field}`);
  if (fields.includes('externalId')) byNormalName.set('id', 'externalId');

  const file = options.mappingFile ? readMappingFile(options.mappingFile) : undefined;
  const given = options.mapping ?? file;
  const explicit = new Map<string, ColumnRule[]>();
  for (const [column, target] of Object.entries(given?.columns ?? {})) {
    explicit.set(column, rulesOf(target));
  }
  const fromFlags = new Map<string, ColumnRule[]>();
  for (const pair of options.map ?? []) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new InputError(`--map ${pair}: expected column=field`);
    const column = pair.slice(0, at).trim();
    const field = pair.slice(at + 1).trim();
    const list = fromFlags.get(column) ?? [];
    if (field !== '') list.push({ field });
    fromFlags.set(column, list);
  }
  for (const [column, rules] of fromFlags) explicit.set(column, rules);
  const dateFormat = options.dateFormat ?? given?.dateFormat;
  const decimal = options.decimal ?? given?.decimal;
  const ignoreUnmapped = options.ignoreUnmapped ?? given?.ignoreUnmapped ?? false;

  // A mapping that ignores unmapped columns is written for a whole export format, whose files
  // need not have every column; --map names columns of this file, which must exist.
  const mayMiss = new Set(given?.ignoreUnmapped ? Object.keys(given.columns) : []);
  for (const column of fromFlags.keys()) mayMiss.delete(column);
  for (const column of explicit.keys()) {
    if (!header.includes(column) && !mayMiss.has(column)) {
      throw new InputError(
        `mapping names column "${column}", which the file does not have (it has: ${header.join(', ')})`,
      );
    }
  }
  const unknown: string[] = [];
  const rules = header.map((column): ColumnRule[] => {
    if (column === '') return [];
    const mapped = explicit.get(column);
    if (mapped) {
      for (const rule of mapped) {
        if (!known(rule.field)) {
          throw new InputError(
            `column "${column}" maps to "${rule.field}", which is not a field of ${object} (fields: ${describeFields()})`,
          );
        }
      }
      return mapped.map((rule) => ({
        ...rule,
        dateFormat: rule.dateFormat ?? dateFormat,
        decimal: rule.decimal ?? decimal,
      }));
    }
    const field = byNormalName.get(normalise(column));
    if (!field) {
      if (!ignoreUnmapped) unknown.push(column);
      return [];
    }
    return [{ field, dateFormat, decimal }];
  });
  if (unknown.length > 0) {
    throw new InputError(
      `column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} match${unknown.length > 1 ? '' : 'es'} no field of ${object}; ` +
        `map with --map "${unknown[0]}=<field>", skip with --map "${unknown[0]}=" or pass --ignore-unmapped (fields: ${describeFields()})`,
    );
  }
  const constants: Record<string, string | number | boolean> = { ...(given?.constants ?? {}) };
  for (const pair of options.constants ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InputError(`--set ${pair}: expected field=value`);
    constants[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  for (const field of Object.keys(constants)) {
    if (!known(field)) {
      throw new InputError(
        `constant "${field}" is not a field of ${object} (fields: ${describeFields()})`,
      );
    }
  }
  const seen = new Map<string, string>();
  for (const [index, list] of rules.entries()) {
    for (const { field } of list) {
      const other = seen.get(field);
      if (other)
        throw new InputError(`columns "${other}" and "${header[index]}" both fill ${field}`);
      seen.set(field, header[index] ?? '');
    }
  }
  if (options.requireExternalId !== false && !seen.has('externalId')) {
    throw new InputError(
      `no column fills externalId: map the column with the record's id in your system (--map "<column>=externalId"), so that importing again updates instead of duplicating`,
    );
  }
  return {
    rules,
    constants,
    columnOf: (field) => seen.get(field) ?? seen.get(`custom.${field}`),
  };
}
