/**
 * Delay before poll number `attempt + 1` (attempt 0 = after the first poll). A pure function of
 * the attempt, like BullMQ's backoffs.ts, so the schedule is a one-line table test. No jitter:
 * polling one job is not a thundering herd, and a deterministic schedule keeps tests exact.
 */
export interface PollDelayOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  factor?: number;
}

export function pollDelay(attempt: number, opts: PollDelayOptions): number {
  const factor = opts.factor ?? 2;
  const raw = opts.initialDelayMs * factor ** Math.max(0, attempt);
  return Math.min(opts.maxDelayMs, Number.isFinite(raw) ? raw : opts.maxDelayMs);
}
