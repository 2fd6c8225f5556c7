import { afterAll, beforeAll, expect, test } from 'vitest';
import { apiFixture } from '../api/test-fixture.js';

let fx: Awaited<ReturnType<typeof apiFixture>>;
beforeAll(async () => {
  fx = await apiFixture();
});
afterAll(() => fx.crm.destroy());

test('GET /reference is an HTML page that loads Swagger UI from the package and the API document', async () => {
  const response = await fx.api.request('/reference');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await response.text();
  expect(html).toContain('<script src="reference/swagger-ui-bundle.js"></script>');
  expect(html).toContain('href="reference/swagger-ui.css"');
  expect(html).not.toMatch(/https?:\/\//);

  const init = await fx.api.request('/reference/init.js');
  expect(init.status).toBe(200);
  expect(init.headers.get('content-type')).toMatch(/^text\/javascript/);
  const script = await init.text();
  expect(script).toContain("new URL('openapi.json', window.location.href)");
  expect(script).toContain("'Bearer ' + apiKey");
});

test('the Swagger UI bundle and stylesheet are served with their content types', async () => {
  const bundle = await fx.api.request('/reference/swagger-ui-bundle.js');
  expect(bundle.status).toBe(200);
  expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
  const code = await bundle.text();
  expect(code.length).toBeGreaterThan(500_000);
  expect(code).toContain('SwaggerUIBundle');

  const css = await fx.api.request('/reference/swagger-ui.css');
  expect(css.status).toBe(200);
  expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  expect(await css.text()).toContain('.swagger-ui');
});

test('the document the page shows still needs a key; other files are not served', async () => {
  expect((await fx.api.request('/openapi.json')).status).toBe(401);
  expect((await fx.api.request('/reference/index.html')).status).toBe(401);
  expect((await fx.api.request('/reference/../package.json')).status).not.toBe(200);
  const document = await fx.api.request('/openapi.json', {
    headers: { authorization: `Bearer ${fx.adminKey}` },
  });
  expect(document.status).toBe(200);
});
