import type { LastBatch, Totals, Watcher } from "./events.js";
import type { Claim, QueueState } from "./fold.js";
import type { NumberColumn } from "./lazy-column.js";
import { STATUS_CODE } from "./session-table.js";

/** Per-session counts of a summary, gathered from columns (possibly in chunks). */
export interface QueueCounts {
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
}

/** What `stats` reports; pure so the scheduler and metrics read the same numbers. */
export interface QueueSummary extends QueueCounts {
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

/**
 * Watchers as `stats` lists them, on every backend: the longest running first, then by id (a
 * Redis hash of heartbeats has no order of its own; the journal's fold keeps first-seen order).
 */
export function watcherStatuses(watchers: Iterable<Watcher>, now: number): WatcherStatus[] {
  return [...watchers]
    .map((w) => ({ ...w, state: watcherState(w, now) }))
    .sort((a, b) => a.started - b.started || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The counts while rows are being added: `oldest` is the oldest due enqueue time so far. */
export interface RowCounts extends QueueCounts {
  oldest: number;
}

export function emptyCounts(): RowCounts {
  return {
    sessions: 0,
    due: 0,
    backoff: 0,
    inFlight: 0,
    expiredLeases: 0,
    scored: 0,
    dead: 0,
    retrying: 0,
    oldest: Number.POSITIVE_INFINITY,
  };
}

/**
 * Adds rows [0, rows) of `cols` to `c`, straight off the columns, no record per session (issue
 * 10: stats at a million sessions). Row i is slot `base + i` (for claims and `skip`).
 */
export function countRows(
  c: RowCounts,
  cols: {
    status: Uint8Array;
    enqueuedAt: NumberColumn;
    attempts: NumberColumn;
    notBefore: NumberColumn;
  },
  claims: ReadonlyMap<number, Claim>,
  rows: number,
  now: number,
  base = 0,
  skip?: Uint8Array,
): void {
  // Stryker disable next-line EqualityOperator: row `rows` reads undefined, which `!status` skips
  for (let i = 0; i < rows; i++) {
    const status = cols.status[i];
    if (!status || skip?.[base + i]) continue;
    c.sessions++;
    if (status === STATUS_CODE.scored) c.scored++;
    else if (status === STATUS_CODE.dead) c.dead++;
    else if (status === STATUS_CODE.queued) {
      if (cols.attempts.get(i) > 0) c.retrying++;
      if (cols.notBefore.get(i) <= now) {
        c.due++;
        c.oldest = Math.min(c.oldest, cols.enqueuedAt.get(i));
      } else c.backoff++;
      // Stryker disable next-line ConditionalExpression: 1-4 are the only statuses, 0 was skipped above
    } else if (status === STATUS_CODE.claimed) {
      if ((claims.get(base + i)?.lease ?? Number.POSITIVE_INFINITY) <= now) {
        c.due++;
        c.expiredLeases++;
        c.oldest = Math.min(c.oldest, cols.enqueuedAt.get(i));
      } else c.inFlight++;
    }
  }
}

export function summarize(state: QueueState, now: number, counts?: RowCounts): QueueSummary {
  const c = counts ?? emptyCounts();
  countRows(c, state.sessions.cols, state.sessions.claims, state.sessions.slots, now);
  const { oldest, ...rest } = c;
  return {
    ...rest,
    oldestDueAgeMs: c.due > 0 ? Math.max(0, now - oldest) : undefined,
    lastBatch: state.lastBatch,
    lastSuccess: state.lastSuccess,
    totals: {
      ...state.totals,
      ...(state.totals.failures ? { failures: { ...state.totals.failures } } : {}),
    },
    corruptLines: state.corrupt.length,
    watchers: watcherStatuses(state.watchers.values(), now),
  };
}
