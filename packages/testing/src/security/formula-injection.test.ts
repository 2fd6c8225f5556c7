import { PassThrough } from 'node:stream';
import { exportCsv, spreadsheetSafe } from '@rapport/cli';
import { expect, it } from 'vitest';
import { securityFixture } from './test-security-fixture.js';

/**
 * Classic vulnerability 6, spreadsheet formula injection (issue 12.8, waits on the CLI export's
 * fix for a leading LF): every cell that starts with = + - @ TAB CR or LF leaves Rapport with a
 * leading quote (OWASP), in the helper and in a real export.
 */
const starts = ['=', '+', '-', '@', '\t', '\r', '\n'];

it('spreadsheet formula injection: exported cells starting with = + - @ TAB CR LF are neutralised', async () => {
  for (const start of starts) {
    expect(spreadsheetSafe(`${start}HYPERLINK("http://evil")`), JSON.stringify(start)).toBe(
      `'${start}HYPERLINK("http://evil")`,
    );
  }
  expect(spreadsheetSafe('Acme = good')).toBe('Acme = good');
  const fx = await securityFixture();
  for (const start of starts) {
    await fx.ritaScope.accounts.create({
      name: `${start}cmd|' /C calc'!A0`,
      ownerId: fx.users.rita.id,
    });
  }
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk) => {
    text += chunk;
  });
  await exportCsv(fx.ritaScope, 'account', out);
  for (const start of starts) {
    // The cell is quoted per RFC 4180 when it holds a quote or line break; the apostrophe comes first.
    const cell = `'${start}cmd|' /C calc'!A0`;
    expect(text, JSON.stringify(start)).toContain(
      /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell,
    );
  }
});
