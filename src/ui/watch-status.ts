import type { BatchReport } from "../batch/process-batch.js";
import type { WatchEvent } from "../batch/watch-loop.js";
import { formatDuration } from "../durations.js";
import type { MaintenanceReport } from "../queue/backend.js";
import type { QueueSummary } from "../queue/summary.js";
import type { Io } from "./io.js";
import { describeBatch, errorText } from "./progress.js";
import { type LiveSpinner, marks, startSpinner } from "./spinner.js";

export interface StatusView {
  summary?: QueueSummary;
  nextCheckAt?: number;
  /** What is happening now instead of waiting (a batch, a shutdown). */
  activity?: string;
}

export function countsLine(s: QueueSummary): string {
  return `due ${s.due} · scored ${s.scored} · retrying ${s.retrying} · dead ${s.dead}`;
}

/** The live line: counts, countdown to the next check (or the activity), last batch outcome. */
export function statusLine(v: StatusView, now: number): string {
  const parts = [v.summary ? countsLine(v.summary) : "reading the queue…"];
  if (v.activity) parts.unshift(v.activity);
  else if (v.nextCheckAt !== undefined)
    parts.push(`next check in ${formatDuration(Math.max(0, v.nextCheckAt - now))}`);
  const last = v.summary?.lastBatch;
  parts.push(
    last
      ? `last batch ${formatDuration(Math.max(0, now - last.at))} ago: ${last.outcome} ${last.sessions}`
      : "no batch yet",
  );
  return parts.join(" │ ");
}

/**
 * `watch` output on stderr: on a TTY one ora line redrawn every second, with each batch kept
 * above it; otherwise log lines (human or JSON), the counts only when they change.
 */
/**
 * The counts as a batch moves them (issue 9: the live line said due 80 while stats said 30,
 * counting the 50 being scored): claimed sessions leave `due` when a batch starts, and land in
 * scored, dead or backoff when it ends, until the next check reads the queue again.
 */
export function claimedInView(s: QueueSummary, claimed: number): QueueSummary {
  const n = Math.min(claimed, s.due);
  return { ...s, due: s.due - n, inFlight: s.inFlight + n };
}

export function batchInView(s: QueueSummary, r: BatchReport): QueueSummary {
  return {
    ...s,
    inFlight: Math.max(0, s.inFlight - r.sessions),
    scored: s.scored + r.scored,
    dead: s.dead + r.dead,
    backoff: s.backoff + r.retried,
    retrying: s.retrying + r.retried,
  };
}

export function watchStatus(io: Io, now: () => number, engine: string, batchSize = Infinity) {
  const view: StatusView = {};
  let spinner: LiveSpinner | undefined;
  let timer: NodeJS.Timeout | undefined;
  let loggedCounts = "";
  const render = () => {
    if (spinner) spinner.ora.text = statusLine(view, now());
  };
  // A terminal that stops being one (resized to 0 columns): log lines from then on.
  const lost = () => {
    clearInterval(timer);
    spinner = undefined;
  };
  if (io.interactive) {
    spinner = startSpinner(io, statusLine(view, now()), lost);
    timer = setInterval(render, 1_000);
    timer.unref();
  }
  const persist = (symbol: string, text: string) => {
    spinner?.ora.stopAndPersist({ symbol, text });
    spinner?.ora.start(statusLine(view, now()));
  };
  // On a TTY only what an operator should see in the scrollback is kept above the live line.
  const say: Say = (level, text, onTty = true) => {
    if (!spinner) io.log(level, text);
    else if (onTty && level !== "debug")
      persist(level === "warn" ? marks(io).warn : marks(io).info, text);
  };
  return {
    onBatchStart(n: number, of: number) {
      view.activity = `batch ${n}/${of}: scoring with ${engine}…`;
      if (view.summary) view.summary = claimedInView(view.summary, batchSize);
      render();
    },
    onBatch(r: BatchReport) {
      if (view.summary) view.summary = batchInView(view.summary, r);
      const ok = r.outcome === "scored";
      if (spinner) persist(ok ? marks(io).ok : marks(io).warn, describeBatch(r));
      else io.log(ok ? "info" : "warn", describeBatch(r), { batch: r.batch, outcome: r.outcome });
    },
    onEvent(e: WatchEvent) {
      onWatchEvent(e, view, say);
      if (!spinner && e.type === "waiting") {
        const counts = countsLine(e.summary);
        if (counts !== loggedCounts) io.log("info", counts, countsFields(e.summary));
        loggedCounts = counts;
      }
      render();
    },
    stop() {
      if (timer) clearInterval(timer);
      spinner?.dispose();
      spinner = undefined;
    },
  };
}

type Say = (level: "info" | "warn" | "debug", text: string, onTty?: boolean) => void;

function onWatchEvent(e: WatchEvent, view: StatusView, say: Say) {
  switch (e.type) {
    case "check":
      view.summary = e.summary;
      if (e.decision.process)
        say("info", `processing ${e.decision.batches} batch(es): ${e.decision.reason}`, false);
      else say("debug", `waiting: ${e.decision.reason}`);
      return;
    case "processed":
      view.activity = undefined;
      return;
    case "waiting":
      view.summary = e.summary;
      view.nextCheckAt = e.nextCheckAt;
      view.activity = undefined;
      return;
    case "maintained":
      say("info", describeCompaction(e.report));
      return;
    case "check-error":
      say("warn", `check failed (${e.inARow} in a row): ${errorText(e.error)}`);
      return;
    case "stopping":
      view.activity = e.inFlight ? "stopping after the batch in flight" : "stopping";
      say(
        "info",
        e.inFlight
          ? "stopping: finishing the batch in flight (Ctrl-C again to release it now)"
          : "stopping",
      );
      return;
    case "releasing":
      view.activity = "stopping: releasing the batch in flight";
      say("warn", `${view.activity} (${e.why})`);
      return;
  }
}

function describeCompaction(r: MaintenanceReport): string {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  return `compacted the queue: ${kib(r.bytesBefore)} -> ${kib(r.bytesAfter)}, ${r.expired} result(s) past retention dropped, ${r.sessionsAfter} session(s) kept`;
}

function countsFields(s: QueueSummary) {
  const { due, backoff, inFlight, scored, dead, retrying } = s;
  return { due, backoff, inFlight, scored, dead, retrying, lastBatch: s.lastBatch };
}
