/** Exit codes are part of the public contract (design.md, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  unknownSession: 3,
  inputRejected: 65,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that carries the exit code the CLI should end with. Only cli.ts reads `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
    this.name = "UsageError";
  }
}

/**
 * A failure talking to a scoring service. `retryable` is decided once, where the HTTP outcome is
 * known (woodwide client); batch code branches on the flag, never on message text.
 */
export class ServiceError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly kind: string;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    opts: {
      retryable: boolean;
      kind: string;
      status?: number;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: opts.cause });
    this.name = "ServiceError";
    this.retryable = opts.retryable;
    this.kind = opts.kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }
}
