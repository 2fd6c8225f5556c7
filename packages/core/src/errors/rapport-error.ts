/**
 * Stable error codes: callers branch on these, never on messages.
 *
 * - `VALIDATION`: the input broke a rule; `issues` says which field and why.
 * - `NOT_FOUND`: no such record in this tenant (or the actor may not see it).
 * - `CONFLICT`: the record changed since it was read (stale `version`), a unique key is taken,
 *   or the record is still referenced.
 * - `FORBIDDEN`: the actor may see the record but not do this to it.
 * - `UNSUPPORTED`: the storage or configuration cannot do what was asked.
 */
export type RapportErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNSUPPORTED'
  /** The database has no Rapport tables yet: run `crm.migrate()` (or `rapport migrate`). */
  | 'NOT_MIGRATED'
  /** The engine was closed with `crm.destroy()`. */
  | 'DESTROYED';

/**
 * One problem with one field of the input.
 *
 * @example
 * const issue: RapportIssue = { path: ['amount'], message: 'must be >= 0', code: 'too_small' };
 */
export interface RapportIssue {
  /** Where in the input: `['lineItems', 2, 'quantity']`. Empty for the whole input. */
  readonly path: readonly (string | number)[];
  /** What is wrong, for a person. */
  readonly message: string;
  /** A machine-readable reason, e.g. zod's issue code or `unknown_reference`. */
  readonly code: string;
}

/** Options of {@link RapportError}. */
export interface RapportErrorOptions {
  /** Field problems, for `VALIDATION`. */
  readonly issues?: readonly RapportIssue[];
  /** The object the error is about, such as `opportunity`. */
  readonly object?: string;
  /** The record id the error is about. */
  readonly id?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * The one error type Rapport throws on purpose. Branch on `code`.
 *
 * @example
 * try {
 *   await scope.opportunities.update(id, { version: 1, amount: 5 });
 * } catch (error) {
 *   if (error instanceof RapportError && error.code === 'CONFLICT') console.log('changed meanwhile: reload and retry');
 * }
 */
export class RapportError extends Error {
  /** The stable code. */
  readonly code: RapportErrorCode;
  /** Field problems; empty unless the code is `VALIDATION`. */
  readonly issues: readonly RapportIssue[];
  /** The object involved, when there is one. */
  readonly object: string | undefined;
  /** The record id involved, when there is one. */
  readonly id: string | undefined;

  constructor(code: RapportErrorCode, message: string, options: RapportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RapportError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.object = options.object;
    this.id = options.id;
  }

  /** A plain object for logs and HTTP bodies. */
  toJSON(): {
    code: RapportErrorCode;
    message: string;
    object?: string;
    id?: string;
    issues: readonly RapportIssue[];
  } {
    return {
      code: this.code,
      message: this.message,
      ...(this.object === undefined ? {} : { object: this.object }),
      ...(this.id === undefined ? {} : { id: this.id }),
      issues: this.issues,
    };
  }
}

/**
 * Whether a value is a {@link RapportError}, optionally with a given code.
 *
 * @example
 * const deal = await scope.opportunities.get(id).catch((error: unknown) => {
 *   if (isRapportError(error, 'NOT_FOUND')) return null;
 *   throw error;
 * });
 */
export function isRapportError(value: unknown, code?: RapportErrorCode): value is RapportError {
  return value instanceof RapportError && (code === undefined || value.code === code);
}

/** @internal Builds a VALIDATION error for one field. */
export function validationError(
  object: string,
  path: readonly (string | number)[],
  message: string,
  code = 'invalid',
): RapportError {
  return new RapportError('VALIDATION', `${object}: ${path.join('.') || 'input'} ${message}`, {
    object,
    issues: [{ path, message, code }],
  });
}
