import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import type { ApiEnv } from '../api/api-env.js';

/** The Swagger UI files the page loads, with their content types; nothing else is served. */
const assets = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
} as const;

/**
 * Runs in the browser: asks once per tab for the API key (the OpenAPI document, like every
 * route, needs one), sends it with every request of the page, and renders the document, which is
 * the sibling `openapi.json` of the page.
 */
const initScript = `const storageKey = 'rapport.apiKey';
let apiKey = sessionStorage.getItem(storageKey);
if (!apiKey) {
  apiKey = window.prompt('API key (Authorization: Bearer <key>) to read the OpenAPI document') ?? '';
  if (apiKey) sessionStorage.setItem(storageKey, apiKey);
}
window.SwaggerUIBundle({
  url: new URL('openapi.json', window.location.href).href,
  dom_id: '#reference',
  requestInterceptor: (request) => {
    if (apiKey) request.headers.Authorization = 'Bearer ' + apiKey;
    return request;
  },
});
`;

/** Relative to the page (`.../reference`), so the API can be mounted under any path. */
const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Rapport API reference</title>
    <link rel="stylesheet" href="reference/swagger-ui.css" />
  </head>
  <body>
    <div id="reference"></div>
    <script src="reference/swagger-ui-bundle.js"></script>
    <script src="reference/init.js"></script>
  </body>
</html>
`;

let assetDir: string | undefined;
/** Where swagger-ui-dist is installed (beside this package, whatever the bundler did). */
function swaggerUiDir(): string {
  assetDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return assetDir;
}

/**
 * Adds `GET /reference`, an API reference page for the API's `/openapi.json` rendered by
 * Swagger UI, and the two files it loads, served from the installed `swagger-ui-dist` (no CDN).
 * The page and its files hold no data and need no key; the document it shows does, so the page
 * asks for one. Call it before the authentication middleware.
 *
 * @example
 * import { Hono } from 'hono';
 * import type { ApiEnv } from '../api/api-env.js';
 *
 * const app = new Hono<ApiEnv>();
 * addReferenceRoutes(app); // GET /reference, /reference/swagger-ui-bundle.js, ...
 */
export function addReferenceRoutes(app: Hono<ApiEnv>): void {
  app.get('/reference', (c) => c.html(page));
  app.get('/reference/init.js', (c) =>
    c.body(initScript, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  for (const [file, contentType] of Object.entries(assets)) {
    app.get(`/reference/${file}`, async (c) =>
      c.body(await readFile(join(swaggerUiDir(), file)), 200, {
        'content-type': contentType,
        'cache-control': 'public, max-age=86400',
      }),
    );
  }
}
