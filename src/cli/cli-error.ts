/** Exit statuses of `edx`: 0 success, 1 a verification that did not pass, 2 bad usage or malformed input. */
export const EXIT = { ok: 0, notPassed: 1, badInput: 2 } as const;

/** A user-facing failure: printed as `edx: <message>` and mapped to an exit status. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;
  constructor(code: string, message: string, exitCode: number = EXIT.badInput) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}
