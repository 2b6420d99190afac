import type { QueueSummary } from "../queue/summary.js";

/**
 * The scheduler rule shared by `watch` and `process --if-due` (issue 5), as a pure function so
 * both read the same decision from the same queue facts. The last batch time comes from the
 * queue file, so a cron run and a watch on one queue agree on when the last batch was.
 */
export interface ScheduleSettings {
  /** Due sessions that trigger a batch at once (seed: 10). */
  minBatch: number;
  /** Longest wait before a partial batch, since the last batch (seed: 5 min). */
  maxWaitMs: number;
  /** Sessions per batch (seed: 50). */
  batchSize: number;
}

export interface ScheduleInput {
  due: number;
  /** Age of the oldest due session; undefined when none is due. */
  oldestDueAgeMs: number | undefined;
  /** When the queue's last batch (any outcome, any processor) was recorded; undefined: never. */
  lastBatchAt: number | undefined;
  now: number;
}

export interface ScheduleDecision {
  process: boolean;
  /** How many batches to take now (0 when `process` is false). */
  batches: number;
  reason: string;
}

export const SEED_SCHEDULE: ScheduleSettings = {
  minBatch: 10,
  maxWaitMs: 5 * 60_000,
  batchSize: 50,
};

/**
 * Process when `due >= minBatch`, or when `maxWaitMs` passed since the last batch (with no batch
 * ever: since the oldest due session was enqueued) and at least one session is due.
 */
export function decideSchedule(input: ScheduleInput, s: ScheduleSettings): ScheduleDecision {
  const { due } = input;
  if (due <= 0) return { process: false, batches: 0, reason: "nothing due" };
  const batches = batchesToTake(due, s);
  if (due >= s.minBatch) {
    return { process: true, batches, reason: `${due} due >= min batch ${s.minBatch}` };
  }
  const since = input.lastBatchAt === undefined ? "oldest due enqueued" : "last batch";
  // A last batch stamped in the future (another host's clock) counts as just now.
  const waited =
    input.lastBatchAt === undefined
      ? (input.oldestDueAgeMs ?? 0)
      : Math.max(0, input.now - input.lastBatchAt);
  if (waited >= s.maxWaitMs) {
    return { process: true, batches, reason: `${due} due, max wait passed since ${since}` };
  }
  return {
    process: false,
    batches: 0,
    reason: `${due} due < min batch ${s.minBatch}; max wait in ${s.maxWaitMs - waited}ms`,
  };
}

/** The rule applied to a queue summary: its due count, oldest due age and last batch time. */
export function decideForQueue(
  s: Pick<QueueSummary, "due" | "oldestDueAgeMs" | "lastBatch">,
  settings: ScheduleSettings,
  now: number,
): ScheduleDecision {
  const input = { due: s.due, oldestDueAgeMs: s.oldestDueAgeMs, lastBatchAt: s.lastBatch?.at, now };
  return decideSchedule(input, settings);
}

/**
 * Drain: the first batch takes up to `batchSize`; after it, each further batch is taken while
 * the rest would fill a batch, or would reach `minBatch` on its own (the rule applied again with
 * the batch just made as the last batch). A smaller remainder waits for the next check.
 * 120 due, size 50, min 10 -> 3 batches (50, 50, 20); 105 due -> 2 (5 wait); 3 due -> 1.
 */
export function batchesToTake(due: number, s: ScheduleSettings): number {
  if (due <= 0) return 0;
  const size = Math.max(1, s.batchSize);
  const rest = Math.max(0, due - size);
  const tail = rest % size;
  const threshold = Math.min(s.minBatch, size);
  return 1 + Math.floor(rest / size) + (tail > 0 && tail >= threshold ? 1 : 0);
}
