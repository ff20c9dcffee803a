/**
 * The one error class of attune-learning.
 * @module
 */

/** Every error code the library throws. */
export const ErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  NOT_FOUND: 'NOT_FOUND',
  CORRUPT_STORE: 'CORRUPT_STORE',
  UNKNOWN_FORMAT: 'UNKNOWN_FORMAT',
  UNKNOWN_STORE: 'UNKNOWN_STORE',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  LOCK_TIMEOUT: 'LOCK_TIMEOUT',
  USAGE: 'USAGE',
  IO: 'IO',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options for {@link AttuneError}. */
export interface AttuneErrorOptions {
  /** What the user can do about it, printed after the message. */
  suggestion?: string;
  /** The error this one wraps. */
  cause?: unknown;
}

/**
 * An error with a stable string `code`, a message naming the part that failed and,
 * where the user can fix it, a suggestion.
 */
export class AttuneError extends Error {
  readonly code: ErrorCode;
  readonly suggestion: string | undefined;

  constructor(code: ErrorCode, message: string, options: AttuneErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AttuneError';
    this.code = code;
    this.suggestion = options.suggestion;
  }

  /** The message with its suggestion, as one or two lines for a person. */
  describe(): string {
    return this.suggestion ? `${this.message}\n${this.suggestion}` : this.message;
  }
}

/** True when `error` is an {@link AttuneError}, optionally with the given code. */
export function isAttuneError(error: unknown, code?: ErrorCode): error is AttuneError {
  return error instanceof AttuneError && (code === undefined || error.code === code);
}

/** Throws INVALID_ARGUMENT naming `field`. */
export function invalidArgument(field: string, problem: string, suggestion?: string): never {
  throw new AttuneError(
    ErrorCode.INVALID_ARGUMENT,
    `${field}: ${problem}`,
    suggestion === undefined ? {} : { suggestion },
  );
}
