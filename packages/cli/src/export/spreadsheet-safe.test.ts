import { stringify } from 'csv-stringify/sync';
import { describe, expect, test } from 'vitest';
import { rfc4180, spreadsheetSafe } from './spreadsheet-safe.js';

describe('spreadsheet formula injection (OWASP CSV injection)', () => {
  test('cells starting with = + - @ TAB CR LF get a leading quote', () => {
    for (const cell of ['=1+1', '+49 30 1234', '-2', '@SUM(A1)', '\tx', '\rx', '\n=cmd|calc']) {
      expect(spreadsheetSafe(cell)).toBe(`'${cell}`);
    }
  });

  test('other cells stay as they are', () => {
    for (const cell of ['Acme', '', '12', 'a=b', 'x\n=y']) expect(spreadsheetSafe(cell)).toBe(cell);
  });

  test('a neutralised cell with a quote, comma or line break is quoted per RFC 4180', () => {
    const csv = stringify([[spreadsheetSafe('\n=HYPERLINK("http://x","y")'), 'ok']], rfc4180);
    expect(csv).toBe(`"'\n=HYPERLINK(""http://x"",""y"")",ok\r\n`);
  });
});
