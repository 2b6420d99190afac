import type { QueueBackend, RemoveOutcome } from "../queue/backend.js";
import type { RemoveFilter } from "../queue/plans.js";

export interface ClearOptions extends RemoveFilter {
  store: QueueBackend;
  now: () => number;
  retentionMs: number;
}

export type ClearResult = RemoveOutcome;

/** Counts what `clear` would remove, for the confirmation prompt. */
export async function previewClear(opts: ClearOptions): Promise<number> {
  return opts.store.countRemovable(opts, opts.now());
}

/**
 * Removes the matching sessions by compacting them out of the file, archived first (issue 9:
 * housekeeping never destroys a decision), and applies retention on the way.
 */
export async function clear(opts: ClearOptions): Promise<ClearResult> {
  return opts.store.remove(opts, opts.now(), opts.retentionMs);
}
