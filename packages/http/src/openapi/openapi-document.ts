import { type ApiRoute, openApiPath } from '../api/route-table.js';
import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './openapi-types.js';

/**
 * Options of the OpenAPI document.
 *
 * @example
 * const options: OpenApiOptions = { title: 'Acme CRM', servers: [{ url: '/api' }] };
 */
export interface OpenApiOptions {
  /** The API's title; `Rapport API` by default. */
  readonly title?: string;
  /** The API's version; `0.1.0` by default. */
  readonly version?: string;
  /** Where the API is mounted, when it is not at the root. */
  readonly servers?: readonly { readonly url: string }[];
}

/** @internal Builds the OpenAPI 3.1 document from the registered routes and their schemas. */
export function buildOpenApiDocument(
  routes: readonly ApiRoute[],
  schemas: ReadonlyMap<string, JsonSchema>,
  options: OpenApiOptions = {},
): OpenApiDocument {
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: route.operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'Rapport API',
      version: options.version ?? '0.1.0',
      description:
        'The Rapport CRM engine over HTTP. Every route needs an API key (Authorization: Bearer ...). Errors are RFC 9457 problem documents.',
    },
    ...(options.servers ? { servers: options.servers } : {}),
    paths,
    components: {
      schemas: Object.fromEntries(schemas),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: rpk_...' },
      },
    },
    security: [{ apiKey: [] }],
  };
}
