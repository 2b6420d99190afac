import { hostname } from "node:os";
import type { BatchRow } from "../batch/csv.js";
import { buildBatchCsv } from "../batch/csv.js";
import type { ScoringEngine } from "../batch/engine.js";
import type { BatchReport } from "../batch/process-batch.js";
import { type ProcessSummary, processQueue } from "../batch/process-queue.js";
import type { RetryBackoffOptions } from "../batch/retry-backoff.js";
import type { Settings } from "../config.js";
import { CliError } from "../errors.js";
import type { QueueBackend } from "../queue/backend.js";
import { DEFAULT_FEATURE_SET, type FeatureSetName } from "../telemetry/feature-set-names.js";

export interface ProcessOptions {
  store: QueueBackend;
  settings: Settings;
  engine: ScoringEngine;
  fallback: ScoringEngine;
  now: () => number;
  maxBatches?: number;
  signal?: AbortSignal;
  /** Take no new batch once aborted (the batch in flight goes on). */
  stop?: AbortSignal;
  backoff?: RetryBackoffOptions;
  onStart?: (batchNumber: number) => void;
  onBatch?: (report: BatchReport) => void;
}

export function processOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** Scores everything due now with the chosen engine; returns what happened. */
export async function processCommand(o: ProcessOptions): Promise<ProcessSummary> {
  return processQueue(
    {
      store: o.store,
      engine: o.engine,
      fallback: o.fallback,
      thresholds: o.settings.thresholds,
      attempts: o.settings.attempts,
      leaseMs: o.settings.leaseMs,
      owner: processOwner(),
      now: o.now,
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    },
    {
      batchSize: o.settings.batchSize,
      ...(o.maxBatches === undefined ? {} : { maxBatches: o.maxBatches }),
      ...(o.onStart ? { onStart: o.onStart } : {}),
      ...(o.onBatch ? { onBatch: o.onBatch } : {}),
      ...(o.stop ? { stop: o.stop } : {}),
    },
  );
}

/**
 * The error a run that stopped early ends with (the CLI's exit status, the library's throw,
 * `serve`'s status code): one wording for all three (issue 12).
 */
export function processStopError(summary: ProcessSummary): CliError | undefined {
  const stop = summary.stoppedBy;
  if (!stop) return undefined;
  const after =
    stop.outcome === "retry"
      ? " (sessions will be retried after their backoff)"
      : " (sessions left queued)";
  return new CliError(`process stopped: ${stop.message}${after}`, stop.exitCode);
}

export interface DryRunBatch {
  sessions: string[];
  csv: string;
}

/** What `process` would send, without claiming anything or calling any engine. */
export async function dryRun(o: {
  store: QueueBackend;
  settings: Settings;
  now: () => number;
  maxBatches?: number;
  /** Issue 13: the set the configured model was trained on (default PlayProof's own). */
  featureSet?: FeatureSetName;
}): Promise<DryRunBatch[]> {
  const size = o.settings.batchSize;
  const due = await o.store.due(o.now(), (o.maxBatches ?? Number.POSITIVE_INFINITY) * size);
  const batches: DryRunBatch[] = [];
  for (let b = 0; b * size < due.length; b++) {
    const taken = due.slice(b * size, (b + 1) * size);
    const rows: BatchRow[] = taken.map((t) => t.payload);
    batches.push({
      sessions: taken.map((t) => t.rec.id),
      csv: buildBatchCsv(rows, o.featureSet ?? DEFAULT_FEATURE_SET),
    });
  }
  return batches;
}
