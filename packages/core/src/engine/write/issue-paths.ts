import { RapportError, type RapportIssue } from '../../errors/rapport-error.js';

/** @internal A RapportError of one input of many: message and issue paths start with its index. */
export function atIndex(error: unknown, index: number): unknown {
  if (!(error instanceof RapportError)) return error;
  return new RapportError(error.code, `[${index}] ${error.message}`, {
    issues: error.issues.map((issue) => ({ ...issue, path: [index, ...issue.path] })),
    ...(error.object === undefined ? {} : { object: error.object }),
    ...(error.id === undefined ? {} : { id: error.id }),
    cause: error,
  });
}

/** @internal A RapportError with `prefix` before every issue path (other errors as they are). */
export function prefixIssues(error: unknown, prefix: readonly (string | number)[]): unknown {
  if (!(error instanceof RapportError)) return error;
  return new RapportError(error.code, error.message, {
    issues: error.issues.map((issue) => ({ ...issue, path: [...prefix, ...issue.path] })),
    ...(error.object === undefined ? {} : { object: error.object }),
    ...(error.id === undefined ? {} : { id: error.id }),
    cause: error.cause,
  });
}

/** @internal Zod-style issues of one input of many as Rapport issues, their paths after `index`. */
export function issuesAt(
  index: number,
  issues: readonly {
    readonly path: readonly PropertyKey[];
    readonly code: string;
    readonly message: string;
    readonly keys?: readonly string[];
  }[],
  limit: number,
): RapportIssue[] {
  const result: RapportIssue[] = [];
  for (const issue of issues) {
    if (result.length >= limit) break;
    const path = [index, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    result.push(
      issue.code === 'unrecognized_keys' && issue.keys
        ? { path, code: 'unknown_field', message: `unknown field(s): ${issue.keys.join(', ')}` }
        : { path, code: issue.code, message: issue.message },
    );
  }
  return result;
}
