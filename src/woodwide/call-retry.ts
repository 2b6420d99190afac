/**
 * Issue 14: the one retry policy for a single Woodwide call, tried again in place (within a batch
 * attempt) only when the answer says the request was not processed. A pure function of the
 * facts, like batch/retry-backoff.ts; the jitter draw is passed in (seeded in tests).
 *
 * Not processed: 429, 502, 503, and a connection that failed before the request was written
 * (refused, no route, DNS, connect timeout, reset with 0 bytes written). Outcome unknown: a
 * timeout or reset after the request went out, and a 504 (the gateway gave up waiting; the
 * service may still be working on it). An unknown outcome is retried in place only for calls
 * that are harmless to repeat (GETs, dataset uploads: a second version is unused); a POST that
 * starts a job or a model (infer-batch, infer, train) is never repeated blindly: the attempt
 * fails instead, and the batch's own backoff decides (README, "Woodwide: retries").
 */
export interface CallRetryOptions {
  /** Tries per call, the first included. */
  maxTries: number;
  /** Full jitter: the n-th retry waits a uniform draw below min(maxDelayMs, baseMs * 2^(n-1)). */
  baseMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out in place: the batch backs off instead. */
  maxWaitMs: number;
}

export const DEFAULT_CALL_RETRY: CallRetryOptions = {
  maxTries: 3,
  baseMs: 250,
  maxDelayMs: 2_000,
  maxWaitMs: 30_000,
};

/** What one try ended with, as far as retrying is concerned. */
export type CallOutcome =
  | { status: number; retryAfterMs?: number | undefined }
  /** "not-sent": the connection failed before the request was written. */
  | { failure: "not-sent" | "unknown"; kind: "network" | "timeout" };

export interface CallFacts {
  outcome: CallOutcome;
  /** The call is harmless to repeat when its outcome is unknown (GET, dataset upload). */
  repeatable: boolean;
  /** Tries made so far, this one included (1 after the first). */
  tries: number;
  /** Uniform in [0, 1). */
  draw: number;
  /** Time left before the attempt's deadline; undefined: no deadline. */
  msLeft?: number | undefined;
}

export type CallDecision =
  | { retry: true; delayMs: number; label: string }
  | { retry: false; why: "done" | "processed" | "unknown-outcome" | "tries" | "wait" | "deadline" };

const NOT_PROCESSED = new Set([429, 502, 503]);

/** The metric label of a retried outcome: the HTTP status, or the network failure's kind. */
export function outcomeLabel(outcome: CallOutcome): string {
  return "status" in outcome ? String(outcome.status) : outcome.kind;
}

export function callRetryDecision(
  f: CallFacts,
  opts: CallRetryOptions = DEFAULT_CALL_RETRY,
): CallDecision {
  const o = f.outcome;
  if ("status" in o && o.status >= 200 && o.status < 300) return { retry: false, why: "done" };
  const notProcessed = "status" in o ? NOT_PROCESSED.has(o.status) : o.failure === "not-sent";
  const unknown = "status" in o ? o.status === 504 : o.failure === "unknown";
  if (!notProcessed && !unknown) return { retry: false, why: "processed" };
  if (!notProcessed && !f.repeatable) return { retry: false, why: "unknown-outcome" };
  if (f.tries >= opts.maxTries) return { retry: false, why: "tries" };
  const retryAfterMs = "status" in o ? o.retryAfterMs : undefined;
  if (retryAfterMs !== undefined && retryAfterMs > opts.maxWaitMs)
    return { retry: false, why: "wait" };
  const cap = Math.min(opts.maxDelayMs, opts.baseMs * 2 ** Math.max(0, f.tries - 1));
  const delayMs = Math.max(retryAfterMs ?? 0, Math.floor(f.draw * cap));
  if (f.msLeft !== undefined && delayMs >= f.msLeft) return { retry: false, why: "deadline" };
  return { retry: true, delayMs, label: outcomeLabel(o) };
}
