/** Exit codes are part of the public contract (design.md, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  unknownSession: 3,
  inputRejected: 65,
  /** A service (Woodwide, Redis) is unavailable: sessions wait and are retried. */
  unavailable: 69,
  /** Local I/O: disk full, queue unreadable or unwritable, lock held too long. */
  io: 74,
  /** Refused: a bad or unauthorised key (401/403), credits exhausted (402). */
  refused: 77,
  /** Configuration: missing key or model, invalid value or URL, request shape rejected (422). */
  config: 78,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A stable name per exit code (issue 12): library callers branch on `code` as the CLI's callers
 * branch on the exit status.
 */
export const ERROR_CODES = {
  0: "OK",
  1: "INTERNAL",
  2: "USAGE",
  3: "UNKNOWN_SESSION",
  65: "INPUT_REJECTED",
  69: "UNAVAILABLE",
  74: "IO",
  77: "REFUSED",
  78: "CONFIG",
  130: "INTERRUPTED",
} as const satisfies Record<ExitCodeValue, string>;

export type ErrorCode = (typeof ERROR_CODES)[ExitCodeValue];

/**
 * An error that carries the exit code the CLI should end with (only cli.ts sets the exit
 * status) and its stable `code`; the library exports it as PlayProofError.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly code: ErrorCode;
  constructor(message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.code = ERROR_CODES[exitCode];
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

/** Service failures a person must fix (design.md, "Exit codes"): keys, credits, then config. */
const REFUSED_KINDS = new Set(["auth", "credits"]);
const CONFIG_KINDS = new Set(["bad-request", "not-found"]);

/** The exit code of a service failure by its kind: 77, 78, else 69 while it may pass. */
export function serviceExitCode(kind: string, retryable: boolean): ExitCodeValue {
  if (REFUSED_KINDS.has(kind)) return ExitCode.refused;
  if (CONFIG_KINDS.has(kind)) return ExitCode.config;
  return retryable || kind === "too-large" ? ExitCode.unavailable : ExitCode.runtime;
}

/** errno codes of local I/O trouble an operator fixes (74), not bugs. */
const IO_CODES = new Set([
  "ENOSPC",
  "EDQUOT",
  "EACCES",
  "EPERM",
  "EROFS",
  "EISDIR",
  "ENOTDIR",
  "EIO",
  "EMFILE",
  "ENFILE",
  "ELOCKED",
  "ENAMETOOLONG",
  "ELOOP",
]);

function errnoOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && IO_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps any error that reaches the CLI's edge to its exit code; 1 only for what is a bug. */
export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ServiceError) return serviceExitCode(err.kind, err.retryable);
  return errnoOf(err) ? ExitCode.io : ExitCode.runtime;
}
