/**
 * Issue 14: the one wrapper that applies the in-place retry policy (call-retry.ts) to a Woodwide
 * call. http.ts runs every request through it, so process, watch and model train (and any later
 * caller of the client) retry alike. Randomness, clock and sleep are injectable for tests.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  type CallOutcome,
  type CallRetryOptions,
  callRetryDecision,
  DEFAULT_CALL_RETRY,
} from "./call-retry.js";

export interface RetryHooks {
  options?: Partial<CallRetryOptions>;
  /** Uniform in [0, 1); default Math.random (jitter only needs to differ between processes). */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One in-place retry, for logs (verbose) and the retried-calls counter. */
export interface RetriedCall {
  /** "POST /datasets": method and path, never a query string. */
  call: string;
  /** The metric label: the HTTP status ("503"), or "network" / "timeout". */
  status: string;
  /** The try that failed (1 = the first). */
  try: number;
  delayMs: number;
  message: string;
}

/** The verbose log line of one in-place retry, the same wherever it is logged. */
export function retryLogEvent(r: RetriedCall): Record<string, unknown> {
  return {
    event: "woodwide.retry",
    call: r.call,
    status: r.status,
    try: r.try,
    delay_ms: r.delayMs,
    reason: r.message,
  };
}

export type TryResult<T> = { value: T } | { error: Error; outcome?: CallOutcome | undefined };

export interface RetryCallOptions {
  call: string;
  repeatable: boolean;
  signal?: AbortSignal | undefined;
  /** Epoch ms (on `now`) past which no in-place wait may end: the attempt's deadline. */
  deadline?: number | undefined;
  onRetry?: ((r: RetriedCall) => void) | undefined;
}

export async function retryInPlace<T>(
  tryOnce: () => Promise<TryResult<T>>,
  o: RetryCallOptions,
  hooks: RetryHooks = {},
): Promise<T> {
  const opts = { ...DEFAULT_CALL_RETRY, ...hooks.options };
  const random = hooks.random ?? Math.random;
  const now = hooks.now ?? Date.now;
  const sleep =
    hooks.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  for (let tries = 1; ; tries++) {
    const r = await tryOnce();
    if ("value" in r) return r.value;
    if (!r.outcome) throw r.error;
    const d = callRetryDecision(
      {
        outcome: r.outcome,
        repeatable: o.repeatable,
        tries,
        draw: random(),
        msLeft: o.deadline === undefined ? undefined : o.deadline - now(),
      },
      opts,
    );
    if (!d.retry) throw r.error;
    o.onRetry?.({
      call: o.call,
      status: d.label,
      try: tries,
      delayMs: d.delayMs,
      message: r.error.message,
    });
    try {
      await sleep(d.delayMs, o.signal);
    } catch (err) {
      throw o.signal?.aborted ? o.signal.reason : err;
    }
    o.signal?.throwIfAborted();
  }
}
