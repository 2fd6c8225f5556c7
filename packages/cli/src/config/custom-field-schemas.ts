import type { ObjectName } from '@rapport/core';
import { z } from 'zod';
import type { CustomFieldConfig } from './config-schema.js';
import type { ConfigFields } from './define-config.js';

/** The zod schema a custom field of a given declaration becomes (every field is optional). */
export type CustomFieldSchema<TField extends CustomFieldConfig> = TField extends {
  readonly type: 'enum';
  readonly values: readonly (infer TValue extends string)[];
}
  ? z.ZodOptional<z.ZodNullable<z.ZodEnum<{ [TKey in TValue]: TKey }>>>
  : TField['type'] extends 'number' | 'integer'
    ? z.ZodOptional<z.ZodNullable<z.ZodNumber>>
    : TField['type'] extends 'boolean'
      ? z.ZodOptional<z.ZodNullable<z.ZodBoolean>>
      : TField['type'] extends 'date'
        ? z.ZodOptional<z.ZodNullable<z.ZodISODate>>
        : z.ZodOptional<z.ZodNullable<z.ZodString>>;

/** The `fields` option of `createCrm` a config's custom fields become, field by field. */
export type CustomFieldSchemas<TFields extends ConfigFields | undefined> =
  TFields extends ConfigFields
    ? {
        readonly [TObject in keyof TFields & ObjectName]: {
          readonly [TField in keyof TFields[TObject] &
            string]: TFields[TObject][TField] extends CustomFieldConfig
            ? CustomFieldSchema<TFields[TObject][TField]>
            : never;
        };
      }
    : {};

/**
 * The zod schema of one declared custom field: text up to 10,000 characters, a finite number, a
 * whole number, a boolean, an ISO date (`YYYY-MM-DD`) or one of the enum's values; always
 * optional and nullable (a record need not carry it).
 *
 * @example
 * customFieldSchema({ type: 'enum', values: ['One year', 'Two year'] }).parse('One year');
 */
export function customFieldSchema<const TField extends CustomFieldConfig>(
  field: TField,
): CustomFieldSchema<TField> {
  let schema: z.ZodType;
  switch (field.type) {
    case 'number':
      schema = z.number().finite();
      break;
    case 'integer':
      schema = z.number().int();
      break;
    case 'boolean':
      schema = z.boolean();
      break;
    case 'date':
      schema = z.iso.date();
      break;
    case 'enum':
      // Cast: the config schema requires at least one value, which z.enum's tuple type cannot see.
      schema = z.enum(field.values as [string, ...string[]]);
      break;
    default:
      schema = z.string().max(10_000);
  }
  // The switch builds the schema the conditional type names for the same declaration.
  return schema.nullable().optional() as unknown as CustomFieldSchema<TField>;
}

/**
 * The `fields` option of `createCrm` from a config's custom field declarations.
 *
 * @example
 * createCrm({ storage, fields: customFieldSchemas({ account: { contract: { type: 'text' } } }) });
 */
export function customFieldSchemas<const TFields extends ConfigFields | undefined>(
  fields: TFields,
): CustomFieldSchemas<TFields> {
  const out: Record<string, Record<string, z.ZodType>> = {};
  for (const [object, declared] of Object.entries(fields ?? {})) {
    const shape: Record<string, z.ZodType> = {};
    for (const [name, field] of Object.entries(declared ?? {}))
      shape[name] = customFieldSchema(field);
    out[object] = shape;
  }
  // Built field by field from the same declarations the mapped type walks.
  return out as CustomFieldSchemas<TFields>;
}
