/**
 * Delay before a failed batch's sessions are due again: exponential in the attempt number with
 * full jitter (a uniform draw below the cap), and never sooner than the server's Retry-After.
 * A pure function of its inputs, like BullMQ's backoffs.ts; the draw is passed in (seeded).
 */
export interface RetryBackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoffOptions = { baseMs: 2_000, maxMs: 5 * 60_000 };

/** `attempt` counts failed attempts so far (1 after the first failure); `draw` is in [0, 1). */
export function retryDelay(
  attempt: number,
  draw: number,
  opts: RetryBackoffOptions = DEFAULT_RETRY_BACKOFF,
  retryAfterMs?: number,
): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(draw * cap);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
