import { type CompactReport, isExpired } from "../queue/compact.js";
import type { QueueState } from "../queue/fold.js";
import type { QueueStore } from "../queue/store.js";

/** `watch` compacts at most this often (issue 5: retention and compaction on a schedule). */
export const MAINTAIN_EVERY_MS = 10 * 60_000;

/**
 * Compaction rewrites the whole file under the lock, so `watch` only does it when it pays: some
 * result is past retention, or the journal holds over twice the lines its sessions need (each
 * session needs one after compaction; claims, results and batch lines pile up between).
 */
export function compactionPays(state: QueueState, now: number, retentionMs: number): boolean {
  if (state.lines > 2 * state.sessions.size + 100) return true;
  for (const rec of state.sessions.values()) if (isExpired(rec, now, retentionMs)) return true;
  return false;
}

export interface MaintenanceReport extends CompactReport {
  sessionsAfter: number;
}

/** Drops results past retention and superseded lines; undefined when it did not pay. */
export function queueMaintenance(store: QueueStore, now: () => number, retentionMs: number) {
  return async (): Promise<MaintenanceReport | undefined> => {
    const state = await store.refresh();
    if (!compactionPays(state, now(), retentionMs)) return undefined;
    const report = await store.compact({ now: now(), retentionMs });
    return { ...report, sessionsAfter: (await store.refresh()).sessions.size };
  };
}
