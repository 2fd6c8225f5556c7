import { standardObjects } from '@rapport/core';
import { z } from 'zod';

/** The value types a custom field declared in the config can have. */
export const customFieldTypes = ['text', 'number', 'integer', 'boolean', 'date', 'enum'] as const;

const label = z.strictObject({
  en: z.string().min(1).optional(),
  de: z.string().min(1).optional(),
});

/** One custom field: its type, allowed values (enum) and labels. */
export const customFieldConfigSchema = z
  .strictObject({
    type: z.enum(customFieldTypes),
    values: z.array(z.string().min(1)).min(1).optional(),
    label: label.optional(),
    description: z.string().optional(),
  })
  .superRefine((field, ctx) => {
    if (field.type === 'enum' && !field.values) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'an enum field needs its values' });
    }
    if (field.type !== 'enum' && field.values) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'only an enum field has values' });
    }
  });

// Cast: Object.keys loses the key type; these are exactly the standard objects' names. z.enum needs a non-empty tuple.
const objectNames = Object.keys(standardObjects) as [
  keyof typeof standardObjects,
  ...(keyof typeof standardObjects)[],
];

/** How one CSV column is read: the field(s) it fills, a value map, a date format. */
export const columnTargetSchema = z.union([
  z.string(),
  z.null(),
  z.array(z.string().min(1)).min(1),
  z.strictObject({
    field: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    values: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .optional(),
    dateFormat: z.string().min(1).optional(),
    decimal: z.enum(['.', ',']).optional(),
  }),
]);

/** A named import mapping: the object, its columns, constants, formats. */
export const importMappingSchema = z.strictObject({
  object: z.enum(objectNames),
  columns: z.record(z.string(), columnTargetSchema),
  constants: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  dateFormat: z.string().min(1).optional(),
  decimal: z.enum(['.', ',']).optional(),
  ignoreUnmapped: z.boolean().optional(),
  /** The owner (user id or external id) of rows that name none. */
  owner: z.string().min(1).optional(),
});

const stage = z.strictObject({
  name: z.string().min(1),
  probability: z.number().min(0).max(100),
  forecastCategory: z.enum(['Pipeline', 'BestCase', 'Commit', 'Closed', 'Omitted']),
  status: z.enum(['open', 'won', 'lost']),
});

/** The JSON form of a project configuration, checked with zod (errors name the path). */
export const rapportConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  database: z.string().min(1).optional(),
  tenant: z
    .strictObject({
      id: z.string().min(1).optional(),
      name: z.string().min(1).optional(),
      baseCurrency: z.string().length(3).optional(),
      timeZone: z.string().min(1).optional(),
      fiscalYearStartMonth: z.number().int().min(1).max(12).optional(),
      exchangeRates: z.record(z.string().length(3), z.number().positive()).optional(),
    })
    .optional(),
  fields: z
    .partialRecord(z.enum(objectNames), z.record(z.string(), customFieldConfigSchema))
    .optional(),
  pipelines: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().min(1),
        default: z.boolean().optional(),
        stages: z.array(stage).min(2),
      }),
    )
    .optional(),
  plugins: z.array(z.string().min(1)).optional(),
  /** Keep exact KPI rollups in every write (default true; docs/architecture.md). */
  rollups: z.boolean().optional(),
  mappings: z.record(z.string(), importMappingSchema).optional(),
});

/** A custom field as declared in the config. */
export type CustomFieldConfig = z.input<typeof customFieldConfigSchema>;
/** How one CSV column is read. */
export type ColumnTarget = z.input<typeof columnTargetSchema>;
/** A named import mapping. */
export type ImportMappingConfig = z.input<typeof importMappingSchema>;
/** A project configuration, as `defineConfig` takes it and `rapport.config.json` holds it. */
export type RapportConfig = z.input<typeof rapportConfigSchema>;
