import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** Wrong use of the command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Input that cannot be accepted (a file, a value): exit code 1. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;

/** Files that failed their checks: exit code 1, the diagnostics printed in full. */
export class InvalidFilesError extends InputError {
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(message);
  }
}
