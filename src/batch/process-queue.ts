import { type ExitCodeValue, exitCodeFor, ServiceError } from "../errors.js";
import {
  type BatchDeps,
  type BatchReport,
  processOneBatch,
  type SessionCounts,
} from "./process-batch.js";

export interface ProcessQueueOptions {
  batchSize: number;
  maxBatches?: number;
  onBatch?: (report: BatchReport) => void;
  onStart?: (batchNumber: number) => void;
  /** Once aborted, no new batch is taken; the one in flight goes on (graceful `watch` stop). */
  stop?: AbortSignal;
}

export interface ProcessSummary extends SessionCounts {
  engine: string;
  batches: number;
  durationMs: number;
  /** The failure that ended the run early, if any. */
  stoppedBy?: {
    outcome: string;
    message: string;
    retryable: boolean;
    kind: string;
    /** What the CLI exits with for it (design.md, "Exit codes"). */
    exitCode: ExitCodeValue;
  };
}

const COUNTS = [
  "sessions",
  "scored",
  "retried",
  "dead",
  "lost",
] as const satisfies readonly (keyof SessionCounts)[];

/**
 * Scores everything due now, batch after batch. A retryable failure ends the run (its sessions
 * wait out their backoff; the next run or `watch` tick picks them up) instead of burning an
 * attempt of every queued session against a service that is down.
 */
export async function processQueue(
  deps: BatchDeps,
  o: ProcessQueueOptions,
): Promise<ProcessSummary> {
  const started = deps.now();
  const sum: ProcessSummary = {
    engine: deps.engine.name,
    batches: 0,
    sessions: 0,
    scored: 0,
    retried: 0,
    dead: 0,
    lost: 0,
    durationMs: 0,
  };
  let size = o.batchSize;
  const more = () =>
    sum.batches < (o.maxBatches ?? Number.POSITIVE_INFINITY) &&
    !deps.signal?.aborted &&
    !o.stop?.aborted;
  while (more()) {
    o.onStart?.(sum.batches + 1);
    const r = await processOneBatch(deps, size);
    if (!r) break;
    sum.batches++;
    for (const k of COUNTS) sum[k] += r[k];
    o.onBatch?.(r);
    if (r.split) {
      size = Math.max(1, Math.ceil(r.sessions / 2));
      continue;
    }
    if (r.error && r.outcome !== "dead") {
      const service = r.error instanceof ServiceError ? r.error : undefined;
      const retryable = r.outcome === "retry" || (service?.retryable ?? false);
      const kind = service?.kind ?? "error";
      const exitCode = exitCodeFor(r.error);
      sum.stoppedBy = { outcome: r.outcome, message: r.error.message, retryable, kind, exitCode };
      break;
    }
  }
  sum.durationMs = deps.now() - started;
  return sum;
}
