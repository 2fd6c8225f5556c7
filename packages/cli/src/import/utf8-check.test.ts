import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readConfigFile } from '../config/load-config.js';
import { InputError } from '../errors/cli-errors.js';
import { readMappingFile } from './column-mapping.js';
import { openCsv } from './csv-rows.js';
import { assertUtf8, findUtf8Break, readUtf8File } from './utf8-check.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-utf8-'));
let files = 0;
const file = (...parts: (string | number[] | Uint8Array)[]) => {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(
    path,
    Buffer.concat(
      parts.map((part) =>
        typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part),
      ),
    ),
  );
  return path;
};

describe('findUtf8Break', () => {
  test('passes UTF-8 with and without a BOM, every plane included', async () => {
    expect(await findUtf8Break(file('Name\nMüller\n東京\n😀\n'))).toBeUndefined();
    expect(await findUtf8Break(file([0xef, 0xbb, 0xbf], 'Name\nMüller\n'))).toBeUndefined();
    expect(await findUtf8Break(file(''))).toBeUndefined();
  });

  test('finds the first byte that is not UTF-8, with its line and offset', async () => {
    // Latin-1 é (0xE9), as a spreadsheet saved in Windows-1252 writes it.
    expect(await findUtf8Break(file('Id,Name\n1,Acme\n2,Caf', [0xe9], '\n'))).toEqual({
      line: 3,
      offset: 20,
      byte: 0xe9,
    });
    const cases: [string, number[]][] = [
      ['a continuation byte alone', [0x80]],
      ['an overlong slash', [0xc0, 0xaf]],
      ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
      ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a byte no sequence starts with', [0xff]],
      ['a lead byte without its continuation', [0xc3, 0x41]],
    ];
    for (const [, bytes] of cases) {
      const broken = await findUtf8Break(file('Name\r\nok\r\nx', bytes, 'y\r\n'));
      expect(broken?.line).toBe(3);
      expect(broken?.offset).toBe(11);
      expect(broken?.byte).toBe(bytes[0]);
    }
  });

  test('counts lone CR line breaks as the CSV reader does, and sees a sequence cut by the end', async () => {
    expect((await findUtf8Break(file('a\rb\rc', [0xe9])))?.line).toBe(3);
    expect(await findUtf8Break(file('Name\n€', [0xe2, 0x82]))).toEqual({
      line: 2,
      offset: 8,
      byte: 0xe2,
    });
  });

  test('a sequence across the reader’s chunks is whole; a bad byte past them is found', async () => {
    // createReadStream reads 64 KiB chunks: put a 4-byte emoji across the first boundary.
    const filler = `${'x'.repeat(99)}\n`.repeat(655);
    const pad = 'y'.repeat(65_536 - filler.length - 2);
    const across = file(filler, pad, '😀', '\nmore\n');
    expect(await findUtf8Break(across)).toBeUndefined();
    const late = await findUtf8Break(file(filler, pad, '😀', '\nmore\n', [0xe9]));
    expect(late).toEqual({ line: 658, offset: 65_536 + 2 + 6, byte: 0xe9 });
  });
});

describe('openCsv', () => {
  test('refuses a file that is not UTF-8 with code INVALID_UTF8 and the line, before any row', async () => {
    const path = file('Id,Name\n1,Acme\n2,Caf', [0xe9], '\n');
    const error = await assertUtf8(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('INVALID_UTF8');
    expect((error as InputError).message).toMatch(/:3: INVALID_UTF8 byte 0xE9 at offset 20/);
    await expect(openCsv(path)).rejects.toThrow(/:3: INVALID_UTF8/);
  });

  test('reads a file with a BOM as UTF-8: no BOM in the header, umlauts intact', async () => {
    const csv = await openCsv(file([0xef, 0xbb, 0xbf], 'Name,City\nMüller,Köln\n'));
    const rows = [];
    for await (const row of csv.rows) rows.push(row.values);
    expect(csv.header).toEqual(['Name', 'City']);
    expect(rows).toEqual([['Müller', 'Köln']]);
  });
});

describe('config and mapping files', () => {
  const json = (...parts: (string | number[])[]) => {
    const path = join(dir, `f${files++}.json`);
    writeFileSync(
      path,
      Buffer.concat(
        parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
      ),
    );
    return path;
  };

  test('a mapping or config file that is not UTF-8 is INVALID_UTF8 with its line, not U+FFFD in a value map', async () => {
    const mapping = json(
      '{\n  "columns": {\n    "Stage": { "field": "stage", "values": { "Gew',
      [0xe4],
      'hlt": "Open" } }\n  }\n}',
    );
    expect(() => readMappingFile(mapping)).toThrow(/:3: INVALID_UTF8 byte 0xE4/);
    const config = json('{ "tenant": { "name": "M', [0xfc], 'ller" } }');
    await expect(readConfigFile(config)).rejects.toThrow(/:1: INVALID_UTF8 byte 0xFC/);
  });

  test('UTF-8 with a BOM is read without it', () => {
    const path = json([0xef, 0xbb, 0xbf], '{ "columns": { "Stufe": "stage" } }');
    expect(readUtf8File(path).startsWith('{')).toBe(true);
    expect(readMappingFile(path).columns).toEqual({ Stufe: 'stage' });
  });
});
