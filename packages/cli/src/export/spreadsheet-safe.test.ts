import { expect, test } from 'vitest';
import { spreadsheetSafe } from './spreadsheet-safe.js';

test('cells a spreadsheet would run get a leading quote; others stay', () => {
  for (const cell of ['=1+1', '+49 30 1234', '-2', '@SUM(A1)', '\tx', '\rx']) {
    expect(spreadsheetSafe(cell)).toBe(`'${cell}`);
  }
  for (const cell of ['Acme', '', '12', 'a=b']) expect(spreadsheetSafe(cell)).toBe(cell);
});
