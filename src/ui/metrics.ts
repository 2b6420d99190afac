import { rename, rm, writeFile } from "node:fs/promises";
import type { QueueSummary } from "../queue/summary.js";
import { packageVersion } from "../version.js";

/**
 * `--metrics-file` (design.md, "Observability"): Prometheus text format for node_exporter's
 * textfile collector. Every value is read from the queue file, not counted in this process, so
 * a cron `process` and a `watch` on one queue write the same numbers and counters never reset
 * when a process restarts.
 */
export const METRIC_PREFIX = "playproof_batch_";

const STATES = [
  ["due", (s: QueueSummary) => s.due],
  ["backoff", (s: QueueSummary) => s.backoff],
  ["in_flight", (s: QueueSummary) => s.inFlight],
  ["scored", (s: QueueSummary) => s.scored],
  ["dead", (s: QueueSummary) => s.dead],
] as const;

const seconds = (ms: number | undefined) => (ms === undefined ? 0 : ms / 1_000);

/** Every failure kind a batch records, so each has a series from the start (issue 9). */
export const FAILURE_KINDS = [
  "server",
  "rate-limited",
  "timeout",
  "network",
  "unreachable",
  "malformed",
  "id-mismatch",
  "job-failed",
  "too-large",
  "auth",
  "credits",
  "bad-request",
  "not-found",
  "error",
] as const;

/**
 * `labels` go on every series (issue 9: two queues' files in one textfile directory must not
 * collide): `queue` (its path) and any `--metrics-label k=v`.
 */
export async function renderMetrics(
  s: QueueSummary,
  labels: Record<string, string> = {},
): Promise<string> {
  // Loaded on demand: only runs with --metrics-file pay for it.
  const { Counter, Gauge, Registry } = await import("prom-client");
  const registers = [new Registry()];
  registers[0]!.setDefaultLabels(labels);
  const name = (n: string) => `${METRIC_PREFIX}${n}`;
  const gauge = (n: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: name(n), help, labelNames, registers });
  const counter = (n: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: name(n), help, labelNames, registers });

  const sessions = gauge("sessions", "Sessions in the queue by state", ["state"]);
  for (const [state, value] of STATES) sessions.set({ state }, value(s));
  gauge("oldest_due_age_seconds", "Age of the oldest due session (0 when none)").set(
    seconds(s.oldestDueAgeMs),
  );
  counter("batches_total", "Batches recorded in the queue, any outcome").inc(s.totals.batches);
  counter("sessions_scored_total", "Sessions given a final result by the engine").inc(
    s.totals.scored,
  );
  counter("fallbacks_total", "Sessions dead-lettered with a local fallback result").inc(
    s.totals.dead,
  );
  counter("retries_total", "Session retries scheduled after retryable failures").inc(
    s.totals.retries,
  );
  const failures = counter("failures_total", "Failed batches by kind", ["kind"]);
  for (const kind of FAILURE_KINDS) failures.inc({ kind }, 0);
  for (const [kind, n] of Object.entries(s.totals.failures ?? {})) failures.inc({ kind }, n);
  // Issue 14: in-place retries, apart from failed attempts, so a flaky Woodwide shows before
  // sessions are dead-lettered. Its own prefix: it counts Woodwide calls, not batches.
  const retried = new Counter({
    name: "playproof_woodwide_retried_calls_total",
    help: "Woodwide calls retried in place (within a batch attempt) by status",
    labelNames: ["status"],
    registers,
  });
  for (const [status, n] of Object.entries(s.totals.retriedCalls ?? {})) retried.inc({ status }, n);
  gauge("last_success_timestamp_seconds", "When a batch last scored (0: never)").set(
    seconds(s.lastSuccess?.at),
  );
  gauge("last_batch_timestamp_seconds", "When the last batch ended, any outcome (0: never)").set(
    seconds(s.lastBatch?.at),
  );
  gauge("last_batch_duration_seconds", "How long the last batch took").set(
    seconds(s.lastBatch?.durationMs),
  );
  // Issue 9: is a scheduler alive? The name the issue asks for, one series per watch process.
  const watch = new Gauge({
    name: "playproof_watch_last_check_timestamp_seconds",
    help: "When each running watch last checked the queue (from its heartbeat)",
    labelNames: ["host", "pid"],
    registers,
  });
  for (const w of s.watchers) watch.set({ host: w.host, pid: String(w.pid) }, seconds(w.lastCheck));
  new Gauge({
    name: "playproof_build_info",
    help: "The build that wrote this file (always 1)",
    labelNames: ["version", "node"],
    registers,
  }).set({ version: packageVersion(), node: process.versions.node }, 1);
  // Strict OpenMetrics parsers reject the blank lines prom-client puts between families.
  return (await registers[0]!.metrics()).replace(/\n{2,}/g, "\n");
}

/** Temp file in the same directory, then rename: the collector never reads half a file. */
export async function writeMetricsFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`could not write metrics to ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
