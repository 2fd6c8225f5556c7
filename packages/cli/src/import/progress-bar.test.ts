import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { createProgressBar } from './progress-bar.js';

function terminal(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, chunks };
}

test('on a terminal: share of the file, rows and rows per second, at most ten times a second', () => {
  const { stream, chunks } = terminal(true);
  let now = 0;
  const bar = createProgressBar(stream, () => now);
  now = 2000;
  bar.update(5000, { bytes: 50, total: 100 });
  now = 2050;
  bar.update(5100, { bytes: 51, total: 100 });
  bar.done();
  expect(chunks).toHaveLength(2);
  expect(chunks[0]).toContain(`${'█'.repeat(12)}${'░'.repeat(12)}  50%  5,000 rows  2,500 rows/s`);
  expect(chunks[1]).toBe('\r\x1b[2K');
});

test('not a terminal: silent', () => {
  const { stream, chunks } = terminal(false);
  const bar = createProgressBar(stream, () => 1000);
  bar.update(10, { bytes: 1, total: 2 });
  bar.done();
  expect(chunks).toEqual([]);
});
