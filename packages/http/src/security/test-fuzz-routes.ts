/** @internal The routes of the API's OpenAPI document that take input the fuzzing can get wrong. */
import type { JsonSchema, OpenApiDocument } from '../openapi/openapi-types.js';

/** A route of the document: method, path template, its query parameters and body schema. */
export interface FuzzRoute {
  readonly method: string;
  readonly path: string;
  readonly collection: string;
  readonly hasId: boolean;
  readonly query: readonly { readonly name: string; readonly schema: JsonSchema }[];
  readonly body: JsonSchema | undefined;
  readonly ifMatch: boolean;
}

function resolve(
  document: OpenApiDocument,
  schema: JsonSchema | undefined,
): JsonSchema | undefined {
  const ref = schema?.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  return (document.components?.schemas as Record<string, JsonSchema> | undefined)?.[name];
}

/** The routes with input to get wrong (not /session, /kpis or /openapi.json, which take none). */
export function fuzzRoutes(document: OpenApiDocument): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content as
        | Record<string, { schema?: JsonSchema }>
        | undefined;
      const body = resolve(document, content?.['application/json']?.schema);
      const query = parameters
        .filter((p) => p.in === 'query')
        .map((p) => ({ name: p.name, schema: (p.schema ?? {}) as JsonSchema }));
      const hasId = path.includes('{id}');
      if (!hasId && !body && query.length === 0) continue;
      routes.push({
        method: method.toUpperCase(),
        path,
        collection: path.split('/')[1] ?? '',
        hasId,
        query,
        body,
        ifMatch: parameters.some((p) => p.name === 'If-Match'),
      });
    }
  }
  return routes;
}
