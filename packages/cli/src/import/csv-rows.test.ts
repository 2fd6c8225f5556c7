import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openCsv } from './csv-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-csv-'));

async function read(text: string) {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, text);
  const file = await openCsv(path);
  const rows = [];
  for await (const row of file.rows) rows.push(row);
  return { header: file.header, rows };
}

test('BOM, CRLF, quoted fields with commas, quotes and line breaks, blank lines: right lines', async () => {
  const { header, rows } = await read(
    '\ufeffId,Name,Note\r\n1,"Acme, Inc","say ""hi"""\r\n2,"two\r\nlines",x\r\n\r\n3,Third,\r\n',
  );
  expect(header).toEqual(['Id', 'Name', 'Note']);
  expect(rows).toEqual([
    { line: 2, values: ['1', 'Acme, Inc', 'say "hi"'] },
    { line: 3, values: ['2', 'two\r\nlines', 'x'] },
    { line: 6, values: ['3', 'Third', ''] },
  ]);
});

test('short rows get empty values; an empty trailing column is ignored; extra values are an error', async () => {
  const { rows } = await read('a,b,c\n1\n2,3,4,\n');
  expect(rows.map((r) => r.values)).toEqual([
    ['1', '', ''],
    ['2', '3', '4'],
  ]);
  await expect(read('a,b\n1,2,3\n')).rejects.toThrow(
    'file:2'.length > 0 ? /:2: 3 values but the header has 2 columns/ : /x/,
  );
});

test('a missing or empty file is an input error', async () => {
  await expect(openCsv(join(dir, 'nope.csv'))).rejects.toThrow(/not found/);
  await expect(read('')).rejects.toThrow(/needs a header row/);
});
