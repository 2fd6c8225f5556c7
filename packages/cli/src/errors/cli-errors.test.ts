import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { reportError } from './cli-errors.js';

function report(error: unknown): { code: number; text: string } {
  const stderr = new PassThrough();
  const code = reportError(error, stderr);
  return { code, text: String(stderr.read() ?? '') };
}

test('a closed pipe ends quietly; a missing file is one line; anything else is a bug with its stack', () => {
  const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
  expect(report(pipe)).toEqual({ code: 0, text: '' });
  const missing = Object.assign(new Error("ENOENT: no such file 'x.csv'"), { code: 'ENOENT' });
  expect(report(missing).text).toBe("rapport: ENOENT: no such file 'x.csv'\n");
  const bug = report(new TypeError('x is undefined'));
  expect(bug.code).not.toBe(0);
  expect(bug.text).toMatch(
    /^rapport: unexpected error \(please report it\)\nTypeError: x is undefined/,
  );
});
