import type { BatchReport } from "../batch/process-batch.js";
import { formatDuration } from "../durations.js";
import type { Io } from "./io.js";
import { formatBatchProgress } from "./progress-format.js";
import { type LiveSpinner, marks, startSpinner } from "./spinner.js";

/**
 * Batch progress: a spinner on a TTY showing `batch N/total` and an ETA once a batch has ended
 * (issue 9, defect 9: total = the batches due at the start; more may arrive meanwhile), log lines
 * otherwise (stderr either way).
 */
export function batchProgress(io: Io, now: () => number, totalBatches?: number) {
  let spinner: LiveSpinner | undefined;
  let live = io.interactive;
  const lost = () => {
    live = false;
    spinner = undefined;
  };
  const started = now();
  let done = 0;
  return {
    onStart(n: number, engine: string) {
      const text = formatBatchProgress({
        n,
        engine,
        done,
        elapsedMs: now() - started,
        ...(totalBatches === undefined ? {} : { total: totalBatches }),
      });
      if (!live) io.log("debug", text);
      else if (spinner) spinner.ora.start(text);
      else spinner = startSpinner(io, text, lost);
    },
    onBatch(r: BatchReport) {
      done++;
      const line = describeBatch(r);
      const ok = r.outcome === "scored";
      if (spinner)
        spinner.ora.stopAndPersist({ symbol: ok ? marks(io).ok : marks(io).warn, text: line });
      else
        io.log(ok ? "info" : "warn", line, {
          batch: r.batch,
          outcome: r.outcome,
          sessions: r.sessions,
          jobId: r.jobId,
        });
    },
    stop() {
      spinner?.dispose();
      spinner = undefined;
    },
  };
}

/** An abort is ours (Ctrl-C, SIGTERM, a shutdown timeout), not a failure worth its message. */
export function errorText(e: Error): string {
  return e.name === "AbortError" ? "interrupted" : e.message;
}

export function describeBatch(r: BatchReport): string {
  const base = `batch ${r.batch}: ${r.outcome}, ${r.sessions} sessions in ${formatDuration(r.durationMs)}`;
  const parts = [
    r.scored ? `${r.scored} scored` : "",
    r.retried
      ? `${r.retried} to retry${r.retryAt ? ` from ${new Date(r.retryAt).toISOString()}` : ""}`
      : "",
    r.dead ? `${r.dead} dead-lettered with a fallback result` : "",
    r.lost ? `${r.lost} taken over by another processor` : "",
    r.error ? `(${errorText(r.error)})` : "",
  ].filter(Boolean);
  return parts.length ? `${base}: ${parts.join(", ")}` : base;
}

/** A one-line status: a spinner on a TTY, a log line per change otherwise. */
export function spinnerOrLog(io: Io) {
  let spinner: LiveSpinner | undefined;
  let live = io.interactive;
  let last = "";
  const lost = () => {
    live = false;
    spinner = undefined;
  };
  return {
    update(text: string) {
      if (text === last) return;
      last = text;
      if (!live) io.log("info", text);
      else if (spinner) spinner.ora.text = text;
      else spinner = startSpinner(io, text, lost);
    },
    stop() {
      spinner?.dispose();
      spinner = undefined;
    },
  };
}
