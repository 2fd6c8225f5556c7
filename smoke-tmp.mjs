import { chromium } from 'playwright-core';

const url = process.argv[2];
const view = process.argv[3] ?? 'board';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('pageerror', (e) => console.log('pageerror', e.message));
page.on('console', (m) => {
  if (m.type() === 'error') console.log('console', m.text());
});
await page.goto(url);
await page.waitForTimeout(2500);
await page.click(`[data-view="${view}"]`);
await page.waitForTimeout(6000);
console.log(page.url());
await page.screenshot({ path: `/tmp/smoke-${view}.png` });
await browser.close();
