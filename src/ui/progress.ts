import ora, { type Ora } from "ora";
import type { BatchReport } from "../batch/process-batch.js";
import { formatDuration } from "../durations.js";
import type { Io } from "./io.js";

/**
 * ora's default `discardStdin` puts the terminal in raw mode but never starts a fresh stdin
 * flowing, so Ctrl-C reaches nobody and SIGINT is never raised: keep the terminal cooked.
 */
export const SPINNER = { discardStdin: false } as const;

/** Batch progress: an ora spinner on a TTY, log lines otherwise (stderr either way). */
export function batchProgress(io: Io, engine: string) {
  let spinner: Ora | undefined;
  return {
    onStart(n: number) {
      const text = `batch ${n}: scoring with ${engine}…`;
      if (io.interactive) {
        spinner ??= ora({ stream: io.stderr, ...SPINNER });
        spinner.start(text);
      } else io.log("debug", text);
    },
    onBatch(r: BatchReport) {
      const line = describeBatch(r);
      const ok = r.outcome === "scored";
      if (spinner) {
        if (ok) spinner.succeed(line);
        else spinner.warn(line);
      } else
        io.log(ok ? "info" : "warn", line, {
          batch: r.batch,
          outcome: r.outcome,
          sessions: r.sessions,
          jobId: r.jobId,
        });
    },
    stop() {
      spinner?.stop();
    },
  };
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
    r.error ? `(${r.error.message})` : "",
  ].filter(Boolean);
  return parts.length ? `${base}: ${parts.join(", ")}` : base;
}

/** A one-line status: a spinner on a TTY, a log line per change otherwise. */
export function spinnerOrLog(io: Io) {
  let spinner: Ora | undefined;
  let last = "";
  return {
    update(text: string) {
      if (text === last) return;
      last = text;
      if (io.interactive) {
        spinner ??= ora({ stream: io.stderr, ...SPINNER }).start();
        spinner.text = text;
      } else io.log("info", text);
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}
