import { isRapportError, type RapportError } from '@rapport/core';

/** Exit codes of `rapport`: 0 ok, 1 bad input, 2 wrong usage. */
export const exitCodes = { ok: 0, badInput: 1, usage: 2 } as const;

/**
 * Bad input a person can fix (a missing file, an unknown column): printed as one line on stderr,
 * exit code 1, no stack trace.
 *
 * @example
 * throw new InputError('file leads.csv not found');
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** A stable code of the kind of bad input, where callers may branch on it (`INVALID_UTF8`). */
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/**
 * A command used the wrong way (a missing option, an unknown object): exit code 2.
 *
 * @example
 * throw new UsageError('unknown object "deal"; try one of: lead, opportunity, ...');
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Where in a file an error happened, for messages: `leads.csv:7`.
 *
 * @example
 * const at: FileLocation = { file: 'leads.csv', line: 7 };
 */
export interface FileLocation {
  readonly file: string;
  readonly line: number;
  /** Field path to CSV column, to name the column a person sees. */
  readonly columnOf?: (field: string) => string | undefined;
}

/**
 * The lines a {@link RapportError} prints as: code, field path, reason, and the file line.
 *
 * @example
 * formatRapportError(error, { file: 'leads.csv', line: 7 });
 * // ['leads.csv:7: VALIDATION email (column "E-Mail"): Invalid email address']
 */
export function formatRapportError(error: RapportError, at?: FileLocation): string[] {
  const where = at ? `${at.file}:${at.line}: ` : '';
  if (error.issues.length === 0) return [`${where}${error.code}: ${error.message}`];
  return error.issues.map((issue) => {
    const path = issue.path.join('.');
    const column = path && at?.columnOf?.(String(issue.path[0]));
    const field = path ? `${path}${column ? ` (column "${column}")` : ''}: ` : '';
    return `${where}${error.code} ${field}${issue.message}`;
  });
}

/**
 * Prints an error for a person and returns the exit code: user errors in one or a few lines,
 * anything unexpected with its stack (that is a bug to report).
 *
 * @example
 * process.exitCode = reportError(error, process.stderr);
 */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof UsageError) {
    stderr.write(`rapport: ${error.message}\n`);
    return exitCodes.usage;
  }
  if (error instanceof InputError) {
    stderr.write(`rapport: ${error.message}\n`);
    return exitCodes.badInput;
  }
  if (isRapportError(error)) {
    for (const line of formatRapportError(error)) stderr.write(`rapport: ${line}\n`);
    return exitCodes.badInput;
  }
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  // The reader of a pipe left (`rapport export deals | head`): it has what it wanted, and a
  // Unix tool stops quietly then.
  if (code === 'EPIPE') return 0;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    stderr.write(`rapport: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.badInput;
  }
  stderr.write(
    `rapport: unexpected error (please report it)\n${error instanceof Error ? error.stack : String(error)}\n`,
  );
  return exitCodes.badInput;
}
