import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

// What the workspace's browser tests share: waiting for a view to finish loading, and axe-core.

const axeSource = readFileSync(
  fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)),
  'utf8',
);

/** Waits until a workspace element has drawn its content (no skeleton left in its shadow root). */
export async function loaded(element: Locator, timeout: number): Promise<void> {
  await expect
    .poll(
      async () =>
        element.evaluate(
          (e) =>
            e.shadowRoot?.querySelector('.skeleton') === null &&
            e.shadowRoot?.childElementCount !== 0,
        ),
      { timeout },
    )
    .toBe(true);
}

/** Serious and critical axe-core violations on the page (shadow roots included). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
      }
    ).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.nodes.length})`);
  });
}
