import type { LastBatch, Totals, Watcher } from "./events.js";
import type { QueueState } from "./fold.js";
import { STATUS_CODE } from "./session-table.js";

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
  // Straight off the columns: no record per session (issue 10, stats at a million sessions).
  const { cols, claims } = state.sessions;
  let oldest = Number.POSITIVE_INFINITY;
  for (let slot = 0; slot < state.sessions.slots; slot++) {
    const status = cols.status[slot];
    if (status === STATUS_CODE.scored) s.scored++;
    else if (status === STATUS_CODE.dead) s.dead++;
    else if (status === STATUS_CODE.queued) {
      if (cols.attempts[slot]! > 0) s.retrying++;
      if (cols.notBefore[slot]! <= now) {
        s.due++;
        oldest = Math.min(oldest, cols.enqueuedAt[slot]!);
      } else s.backoff++;
    } else if (status === STATUS_CODE.claimed) {
      if ((claims.get(slot)?.lease ?? Number.POSITIVE_INFINITY) <= now) {
        s.due++;
        s.expiredLeases++;
        oldest = Math.min(oldest, cols.enqueuedAt[slot]!);
      } else s.inFlight++;
    }
  }
  if (s.due > 0) s.oldestDueAgeMs = Math.max(0, now - oldest);
  return s;
}
