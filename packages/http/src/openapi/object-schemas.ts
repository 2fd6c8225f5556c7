import { type AnyObjectDefinition, publicFieldsOf } from '@rapport/core';
import { z } from 'zod';
import type { JsonSchema } from './openapi-types.js';

const systemFields = {
  tenantId: z.string(),
  id: z.string(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
  externalId: z.string().nullable(),
};

/**
 * @internal The zod schemas of one object as the API reads and writes it: the stored record, the
 * body of a create and the body of an update. They come from core's field schemas and the
 * engine's custom field schemas, so the document cannot drift from what the engine checks.
 */
export function objectSchemas(definition: AnyObjectDefinition, custom: z.ZodObject) {
  // Hidden fields never leave the engine: the API neither returns nor documents them.
  const fields = publicFieldsOf(definition);
  const readonly = Object.fromEntries(
    definition.readonlyFields
      .filter((field) => field in fields.shape)
      .map((field) => [field, true]),
  );
  // `omit` takes a mask of known keys; the definition's readonly fields are keys of its shape.
  const writable = fields.omit(readonly as Record<string, true>);
  return {
    record: fields.extend({ ...systemFields, custom }),
    create: writable.extend({
      id: z.string().min(1).max(64).optional(),
      externalId: z.string().min(1).max(255).nullable().optional(),
      custom: custom.optional(),
    }),
    update: writable.partial().extend({
      version: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('The version that was read; or send it as If-Match.'),
      externalId: z.string().min(1).max(255).nullable().optional(),
      custom: custom.partial().optional(),
    }),
  };
}

/**
 * @internal A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), for requests
 * (`input`: defaults optional) or responses (`output`).
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
}
