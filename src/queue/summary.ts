import type { LastBatch, Totals, Watcher } from "./events.js";
import { isDue, type QueueState } from "./fold.js";

/** What `stats` reports; pure so the scheduler and metrics read the same numbers. */
export interface QueueSummary {
  sessions: number;
  due: number;
  /** Queued but waiting out a retry backoff. */
  backoff: number;
  /** Claimed by a live batch (lease not expired). */
  inFlight: number;
  /** Claimed, lease expired: the processor died; counted in `due` too. */
  expiredLeases: number;
  scored: number;
  dead: number;
  /** Queued sessions that have failed at least one attempt. */
  retrying: number;
  oldestDueAgeMs: number | undefined;
  lastBatch: LastBatch | undefined;
  /** The last batch that scored its sessions (metrics: last success). */
  lastSuccess: LastBatch | undefined;
  totals: Totals;
  corruptLines: number;
  /** Running `watch` processes (issue 9), from their heartbeats in the queue. */
  watchers: WatcherStatus[];
}

export interface WatcherStatus extends Watcher {
  /** stale: no heartbeat for a minute (or an interval, if longer) past its next check. */
  state: "alive" | "stale";
}

export function watcherState(w: Watcher, now: number): WatcherStatus["state"] {
  const interval = Number(w.settings.intervalMs) || 0;
  return now > w.nextCheck + Math.max(60_000, interval) ? "stale" : "alive";
}

export function summarize(state: QueueState, now: number): QueueSummary {
  const s: QueueSummary = {
    sessions: state.sessions.size,
    due: 0,
    backoff: 0,
    inFlight: 0,
    expiredLeases: 0,
    scored: 0,
    dead: 0,
    retrying: 0,
    oldestDueAgeMs: undefined,
    lastBatch: state.lastBatch,
    lastSuccess: state.lastSuccess,
    totals: {
      ...state.totals,
      ...(state.totals.failures ? { failures: { ...state.totals.failures } } : {}),
    },
    corruptLines: state.corrupt.length,
    watchers: [...state.watchers.values()].map((w) => ({ ...w, state: watcherState(w, now) })),
  };
  let oldest = Number.POSITIVE_INFINITY;
  for (const rec of state.sessions.values()) {
    if (rec.status === "scored") s.scored++;
    else if (rec.status === "dead") s.dead++;
    if (rec.status === "queued" && rec.attempts > 0) s.retrying++;
    if (isDue(rec, now)) {
      s.due++;
      if (rec.status === "claimed") s.expiredLeases++;
      oldest = Math.min(oldest, rec.enqueuedAt);
    } else if (rec.status === "queued") s.backoff++;
    else if (rec.status === "claimed") s.inFlight++;
  }
  if (s.due > 0) s.oldestDueAgeMs = Math.max(0, now - oldest);
  return s;
}
