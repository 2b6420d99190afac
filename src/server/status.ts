import { ExitCode, exitCodeFor } from "../errors.js";

/** An answer the router gives before any operation runs (issue 12: JSON, never a stack). */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * The status of an operation's error by its exit code, so HTTP callers and crontabs read the
 * same classes: a bad value 422, unknown session 404, rejected input 422, a service or the
 * queue unavailable for now 503, refused by Woodwide 502, misconfigured or a bug 500.
 */
const BY_EXIT_CODE: Record<number, number> = {
  [ExitCode.usage]: 422,
  [ExitCode.unknownSession]: 404,
  [ExitCode.inputRejected]: 422,
  [ExitCode.unavailable]: 503,
  [ExitCode.io]: 503,
  [ExitCode.refused]: 502,
  [ExitCode.config]: 500,
  [ExitCode.interrupted]: 503,
  [ExitCode.runtime]: 500,
};

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error: string; code: string; exitCode?: number; summary?: unknown };
}

export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof HttpError)
    return {
      status: err.status,
      headers: err.headers,
      body: { error: err.message, code: err.code },
    };
  const exitCode = exitCodeFor(err);
  const status = BY_EXIT_CODE[exitCode] ?? 500;
  const code = (err as { code?: unknown }).code;
  const message =
    exitCode === ExitCode.runtime
      ? `internal error: ${(err as Error)?.message ?? String(err)} (this is a bug in playproof-batch: please report it)`
      : ((err as Error)?.message ?? String(err));
  return {
    status,
    headers: status === 503 ? { "retry-after": "30" } : {},
    body: {
      error: message,
      code: typeof code === "string" && exitCode !== ExitCode.runtime ? code : "INTERNAL",
      exitCode,
      // `process` stopped by a failure: what it did before it stopped.
      ...((err as { summary?: unknown }).summary
        ? { summary: (err as { summary?: unknown }).summary }
        : {}),
    },
  };
}
