import { planRemove, type RemoveFilter } from "../queue/plans.js";
import type { QueueStore } from "../queue/store.js";

export interface ClearOptions extends RemoveFilter {
  store: QueueStore;
  now: () => number;
  retentionMs: number;
}

export interface ClearResult {
  removed: number;
  remaining: number;
}

/** Counts what `clear` would remove, for the confirmation prompt. */
export async function previewClear(opts: ClearOptions): Promise<number> {
  const state = await opts.store.refresh();
  return planRemove(state, opts, opts.now()).value.length;
}

/** Removes the matching sessions, then compacts so their lines leave the file too. */
export async function clear(opts: ClearOptions): Promise<ClearResult> {
  const removed = await opts.store.transact((state) => planRemove(state, opts, opts.now()));
  await opts.store.compact({ now: opts.now(), retentionMs: opts.retentionMs });
  const state = await opts.store.refresh();
  return { removed: removed.length, remaining: state.sessions.size };
}
