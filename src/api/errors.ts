import {
  CliError,
  ExitCode,
  type ExitCodeValue,
  exitCodeFor,
  ServiceError,
  UsageError,
} from "../errors.js";

/**
 * The library's errors (issue 12): one class per exit code, each with the stable `code` and the
 * `exitCode` the CLI would end with, so a web server can branch as a crontab does. The base
 * class is the CLI's own error class: a thrown error means the same thing on both sides.
 */
export { CliError as PlayProofError, UsageError };

function errorClass(name: string, exitCode: ExitCodeValue) {
  const C = class extends CliError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(message, exitCode, options);
      this.name = name;
    }
  };
  Object.defineProperty(C, "name", { value: name });
  return C;
}

export const UnknownSessionError = errorClass("UnknownSessionError", ExitCode.unknownSession);
export const InputRejectedError = errorClass("InputRejectedError", ExitCode.inputRejected);
export const UnavailableError = errorClass("UnavailableError", ExitCode.unavailable);
export const IoError = errorClass("IoError", ExitCode.io);
export const RefusedError = errorClass("RefusedError", ExitCode.refused);
export const ConfigError = errorClass("ConfigError", ExitCode.config);
export const InterruptedError = errorClass("InterruptedError", ExitCode.interrupted);
export const InternalError = errorClass("InternalError", ExitCode.runtime);

const BY_EXIT_CODE: Record<number, new (m: string, o?: { cause?: unknown }) => CliError> = {
  [ExitCode.usage]: UsageError,
  [ExitCode.unknownSession]: UnknownSessionError,
  [ExitCode.inputRejected]: InputRejectedError,
  [ExitCode.unavailable]: UnavailableError,
  [ExitCode.io]: IoError,
  [ExitCode.refused]: RefusedError,
  [ExitCode.config]: ConfigError,
  [ExitCode.interrupted]: InterruptedError,
  [ExitCode.runtime]: InternalError,
};

/**
 * Any error leaving the library as its class by exit code (the CLI's `exitCodeFor`), with the
 * original as `cause`; an error already of its class passes through.
 */
export function toPlayProofError(err: unknown): CliError {
  const exitCode = exitCodeFor(err);
  const C = BY_EXIT_CODE[exitCode] ?? InternalError;
  if (err instanceof C) return err;
  const message = err instanceof Error ? err.message : String(err);
  const wrapped = new C(message, { cause: err });
  if (err instanceof ServiceError) Object.assign(wrapped, { retryable: err.retryable });
  return wrapped;
}

/** Runs `fn`, rethrowing what it throws as the library's error classes. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toPlayProofError(err);
  }
}
