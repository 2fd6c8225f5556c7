import type { z } from 'zod';
import { RapportError, type RapportIssue } from './rapport-error.js';

/** @internal Turns a failed zod parse into a VALIDATION error with every field path. */
export function fromZodError(
  object: string,
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
): RapportError {
  const issues: RapportIssue[] = error.issues.flatMap((issue): RapportIssue[] => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key],
        code: 'unknown_field',
        message: 'is not a known field',
      }));
    }
    return [{ path, code: issue.code, message: issue.message }];
  });
  const summary = issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
  return new RapportError('VALIDATION', `${object}: ${summary}`, { object, issues });
}
