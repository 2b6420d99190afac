import type TableClass from "cli-table3";
import type { ProcessSummary } from "../batch/process-queue.js";
import { formatDuration } from "../durations.js";
import { lazyModule } from "../lazy-module.js";
import type { ConfigEntry } from "../ops/config.js";
import type { QuarantineListing } from "../ops/quarantine.js";
import type { SessionResult } from "../ops/result.js";
import type { ResultRow } from "../ops/results.js";
import type { StatsResult } from "../ops/stats.js";

/** Loaded by the first table drawn: `--json` and cron's plain lines draw none. */
const cliTable = lazyModule<typeof TableClass>("cli-table3");

/** No rule between rows: a screenful at 3 a.m. should be dense. */
const COMPACT = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

function table(rows: [string, string][]): string {
  const t = new (cliTable())({ chars: COMPACT, style: { head: [], border: [] } });
  for (const [k, v] of rows) t.push({ [k]: v });
  return t.toString();
}

const ago = (at: number | undefined, now: number) =>
  at === undefined ? "never" : `${formatDuration(Math.max(0, now - at))} ago`;

export function renderStats(s: StatsResult, now: number): string {
  const last = s.lastBatch;
  return table([
    ["queue", s.queue],
    [
      s.backend === "redis" ? "memory (Redis)" : "file size",
      `${(s.fileBytes / 1024).toFixed(1)} KiB`,
    ],
    ["sessions", String(s.sessions)],
    ["due now", String(s.due)],
    ["oldest due", s.oldestDueAgeMs === undefined ? "-" : formatDuration(s.oldestDueAgeMs)],
    ["in flight", String(s.inFlight)],
    ["waiting to retry", String(s.backoff)],
    ["retrying (failed before)", String(s.retrying)],
    ["expired leases", String(s.expiredLeases)],
    ["scored", String(s.scored)],
    ["dead-lettered", String(s.dead)],
    [
      "last batch",
      last
        ? `${ago(last.at, now)}: ${last.outcome}, ${last.sessions} sessions (${last.engine})`
        : "never",
    ],
    ["batches / retries (total)", `${s.totals.batches} / ${s.totals.retries}`],
    ...(s.corruptLines > 0
      ? ([["corrupt lines", String(s.corruptLines)]] as [string, string][])
      : []),
    ...watcherRows(s, now),
  ]);
}

/** One row per `watch` that announced itself: alive or stale, and when it last checked. */
function watcherRows(s: StatsResult, now: number): [string, string][] {
  if (s.watchers.length === 0) return [["watchers", "none"]];
  return s.watchers.map((w) => [
    `watcher ${w.host}:${w.pid}`,
    `${w.state}: last check ${ago(w.lastCheck, now)}, running since ${new Date(w.started).toISOString()}`,
  ]);
}

export function renderResult(r: SessionResult): string {
  const res = r.result;
  return table([
    ["session", r.sessionId],
    ["status", r.provisional ? `${r.status} (provisional)` : r.status],
    ["decision", res.decision],
    ["anomalyScore", res.anomalyScore.toFixed(3)],
    ["isAnomaly", String(res.isAnomaly)],
    ["confidence", res.confidence.toFixed(2)],
    ["reasons", res.reasons.join(", ") || "-"],
    ["source", `${res.source} (${res.model.id} ${res.model.version})`],
    ["scored at", res.scoredAt],
    ["attempts", String(r.attempts)],
    ...(r.lastError ? ([["last error", r.lastError]] as [string, string][]) : []),
    ...(res.fallbackReason
      ? ([["fallback reason", res.fallbackReason]] as [string, string][])
      : []),
  ]);
}

export function renderConfig(path: string, entries: ConfigEntry[]): string {
  const t = new (cliTable())({
    head: ["key", "value", "origin", "meaning"],
    chars: COMPACT,
    style: { head: [], border: [] },
  });
  // Issue 9, item 12: the effective value and where it came from; secrets arrive redacted.
  for (const e of entries) {
    const origin = e.origin === "env" ? `env ${e.envName}` : e.origin;
    t.push([e.key, e.value === undefined ? "-" : String(e.value), origin, e.description]);
  }
  return `${t.toString()}\nfile: ${path}`;
}

export function renderSummary(s: ProcessSummary): string {
  return table([
    ["engine", s.engine],
    ["batches", String(s.batches)],
    ["sessions", String(s.sessions)],
    ["scored", String(s.scored)],
    ["to retry", String(s.retried)],
    ["dead-lettered (fallback)", String(s.dead)],
    ["taken over", String(s.lost)],
    ["took", formatDuration(s.durationMs)],
    ...(s.stoppedBy ? ([["stopped by", s.stoppedBy.message]] as [string, string][]) : []),
  ]);
}

export function renderQuarantine(q: QuarantineListing): string {
  const t = new (cliTable())({
    head: ["#", "quarantined", "reason", "byte", "size", "session", "status"],
    chars: COMPACT,
    style: { head: [], border: [] },
  });
  for (const i of q.items) {
    t.push([
      String(i.entry),
      i.at,
      i.reason,
      String(i.offset),
      `${i.bytes} B`,
      i.sessionId ?? "-",
      i.why ? `${i.status}: ${i.why}` : i.status,
    ]);
  }
  return t.toString();
}

/** Fixed widths, so `results` can print a table batch after batch without holding it all. */
const RESULT_TABLE: [keyof ResultRow, number][] = [
  ["sessionId", 28],
  ["state", 10],
  ["decision", 9],
  ["anomalyScore", 13],
  ["source", 10],
  ["doneAt", 25],
  ["from", 7],
];

export function renderResultRows(rows: ResultRow[], header = true): string {
  const cell = (v: unknown, w: number) => String(v).padEnd(w);
  const line = (values: unknown[]) =>
    values
      .map((v, i) => cell(v, RESULT_TABLE[i]![1]))
      .join(" ")
      .trimEnd();
  const out = header ? [line(RESULT_TABLE.map(([k]) => k))] : [];
  for (const r of rows)
    out.push(
      line(
        RESULT_TABLE.map(([k]) =>
          k === "anomalyScore" ? Number(r[k]).toFixed(3) : r[k] === "" ? "-" : r[k],
        ),
      ),
    );
  return out.join("\n");
}
