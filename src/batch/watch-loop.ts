import { CliError, ExitCode } from "../errors.js";
import type { MaintenanceReport } from "../queue/backend.js";
import type { QueueSummary } from "../queue/summary.js";
import type { ProcessSummary } from "./process-queue.js";
import { decideForQueue, type ScheduleDecision, type ScheduleSettings } from "./schedule.js";

/** Resolves after `ms`, or at once when `signal` aborts. Tests pass a fake clock's. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface BatchControl {
  /** Aborted on the first SIGINT/SIGTERM: take no new batch. */
  stop: AbortSignal;
  /** Aborted when the batch in flight must be released (timeout, second signal). */
  signal: AbortSignal;
}

export interface WatchLoopDeps {
  now: () => number;
  sleep: Sleep;
  /** First SIGINT/SIGTERM. */
  stop: AbortSignal;
  /** Second SIGINT: release the batch in flight now. */
  kill: AbortSignal;
  readSummary: () => Promise<QueueSummary>;
  processBatches: (batches: number, ctl: BatchControl) => Promise<ProcessSummary>;
  /** Retention and compaction; returns a report when it did something. */
  maintain?: () => Promise<MaintenanceReport | undefined>;
  onEvent?: (e: WatchEvent) => void;
}

export interface WatchLoopOptions extends ScheduleSettings {
  intervalMs: number;
  shutdownTimeoutMs: number;
  maintainEveryMs: number;
  /** Checks failing in a row (IO, lock) before the loop gives up. */
  maxCheckErrors?: number;
}

export type WatchEvent =
  | { type: "check"; summary: QueueSummary; decision: ScheduleDecision }
  | { type: "processed"; result: ProcessSummary }
  | { type: "maintained"; report: MaintenanceReport }
  | { type: "waiting"; summary: QueueSummary; nextCheckAt: number }
  | { type: "check-error"; error: Error; inARow: number }
  | { type: "stopping"; inFlight: boolean }
  | { type: "releasing"; why: "timeout" | "second signal" };

export interface WatchLoopResult {
  ended: "stopped" | "killed" | "failed";
  checks: number;
  batches: number;
  sessions: number;
  error?: Error;
}

/**
 * The `watch` scheduler (issue 5): check, apply the rule, process, maintain, sleep; again until
 * stopped. Retryable failures only end a check (sessions back off, the next check goes on); a
 * non-retryable one (401/402/403/422) ends the loop, as it ends `process` (design.md).
 */
export async function runWatchLoop(
  d: WatchLoopDeps,
  o: WatchLoopOptions,
): Promise<WatchLoopResult> {
  const res: WatchLoopResult = { ended: "stopped", checks: 0, batches: 0, sessions: 0 };
  const emit = (e: WatchEvent) => d.onEvent?.(e);
  const batches = batchRunner(d, o, emit);
  let nextMaintain = d.now();
  let errorsInARow = 0;
  try {
    while (!d.stop.aborted) {
      try {
        const summary = await d.readSummary();
        res.checks++;
        const decision = decideForQueue(summary, o, d.now());
        emit({ type: "check", summary, decision });
        if (decision.process && !d.stop.aborted) {
          const { result, released } = await batches.run(decision.batches);
          res.batches += result.batches;
          res.sessions += result.sessions;
          emit({ type: "processed", result });
          const stop = result.stoppedBy;
          if (stop && !stop.retryable && !released)
            return {
              ...res,
              ended: "failed",
              error: new CliError(stop.message, stop.exitCode),
            };
        }
        if (d.maintain && d.now() >= nextMaintain && !d.stop.aborted) {
          nextMaintain = d.now() + o.maintainEveryMs;
          const report = await d.maintain();
          if (report) emit({ type: "maintained", report });
        }
        const after = await d.readSummary();
        emit({ type: "waiting", summary: after, nextCheckAt: d.now() + o.intervalMs });
        errorsInARow = 0;
      } catch (err) {
        errorsInARow++;
        emit({ type: "check-error", error: err as Error, inARow: errorsInARow });
        // A service that is down (Redis: exit 69) is waited for, however long (issue 11):
        // `watch` goes on checking and recovers when it returns; other errors end it.
        const waits = err instanceof CliError && err.exitCode === ExitCode.unavailable;
        if (errorsInARow >= (o.maxCheckErrors ?? 5) && !waits)
          return { ...res, ended: "failed", error: err as Error };
      }
      if (!d.stop.aborted) await d.sleep(o.intervalMs, d.stop);
    }
    return { ...res, ended: d.kill.aborted ? "killed" : "stopped" };
  } finally {
    batches.dispose();
  }
}

/**
 * Runs a check's batches and owns the shutdown policy for the one in flight: the first signal
 * lets it finish within `shutdownTimeoutMs`, then releases it; the second releases it at once.
 */
function batchRunner(d: WatchLoopDeps, o: WatchLoopOptions, emit: (e: WatchEvent) => void) {
  let inFlight: InFlight | undefined;
  const onStop = () => {
    emit({ type: "stopping", inFlight: inFlight !== undefined });
    if (inFlight) releaseAfter(d, o.shutdownTimeoutMs, inFlight, emit);
  };
  const onKill = () => {
    if (!inFlight || inFlight.release.signal.aborted) return;
    emit({ type: "releasing", why: "second signal" });
    inFlight.release.abort();
  };
  d.stop.addEventListener("abort", onStop, { once: true });
  d.kill.addEventListener("abort", onKill, { once: true });
  return {
    async run(count: number) {
      const batch: InFlight = { release: new AbortController(), done: new AbortController() };
      inFlight = batch;
      try {
        const ctl = { stop: d.stop, signal: batch.release.signal };
        const result = await d.processBatches(count, ctl);
        return { result, released: batch.release.signal.aborted };
      } finally {
        batch.done.abort(); // cancels a pending shutdown timeout
        inFlight = undefined;
      }
    },
    dispose() {
      d.stop.removeEventListener("abort", onStop);
      d.kill.removeEventListener("abort", onKill);
    },
  };
}

interface InFlight {
  /** Aborting it makes process-batch release its claim. */
  release: AbortController;
  /** Aborted when processBatches returned. */
  done: AbortController;
}

/** Lets the batch in flight finish within `ms`, then aborts it (process-batch releases it). */
function releaseAfter(d: WatchLoopDeps, ms: number, b: InFlight, emit: (e: WatchEvent) => void) {
  void d.sleep(ms, b.done.signal).then(() => {
    if (b.done.signal.aborted || b.release.signal.aborted) return;
    emit({ type: "releasing", why: "timeout" });
    b.release.abort();
  });
}
