import { matchesRemoveFilter, planRemove, type RemoveFilter } from "../queue/plans.js";
import type { QueueStore } from "../queue/store.js";

export interface ClearOptions extends RemoveFilter {
  store: QueueStore;
  now: () => number;
  retentionMs: number;
}

export interface ClearResult {
  removed: number;
  /** Of the removed sessions, how many were appended to the archive first. */
  archived: number;
  remaining: number;
}

/** Counts what `clear` would remove, for the confirmation prompt. */
export async function previewClear(opts: ClearOptions): Promise<number> {
  const state = await opts.store.refresh();
  return planRemove(state, opts, opts.now()).value.length;
}

/**
 * Removes the matching sessions by compacting them out of the file, archived first (issue 9:
 * housekeeping never destroys a decision), and applies retention on the way.
 */
export async function clear(opts: ClearOptions): Promise<ClearResult> {
  const now = opts.now();
  const report = await opts.store.compact({
    now,
    retentionMs: opts.retentionMs,
    drop: (rec) => matchesRemoveFilter(rec, opts, now),
  });
  const state = await opts.store.refresh();
  return { removed: report.removed, archived: report.archived, remaining: state.sessions.size };
}
