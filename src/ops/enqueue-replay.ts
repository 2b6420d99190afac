import type { QueueBackend } from "../queue/backend.js";
import type { EnqueueItem } from "../queue/plans.js";
import { createReplayIndex, type ReplayIndex } from "../scoring/replay-index.js";
import { replayVerdict } from "../scoring/replay-verdict.js";
import type { Thresholds } from "../scoring/result.js";

/**
 * Issue 13, part 3, at enqueue: each new session's fingerprint is looked up among the sessions
 * the queue keeps (its retention window: whatever compaction has not removed) and those earlier
 * in this run; a match marks the payload (`replayOf`) and fails the provisional result. The
 * index is built once per run, lazily, from the queued payloads, so a run that queues no
 * fingerprinted session never reads them. Two enqueue runs racing each other do not see each
 * other's sessions: the check is best effort across concurrent writers.
 */
export type ReplayCheck = ReturnType<typeof createReplayCheck>;

export function createReplayCheck(store: QueueBackend, thresholds: Thresholds) {
  let index: Promise<ReplayIndex> | undefined;
  async function build(): Promise<ReplayIndex> {
    const built = createReplayIndex();
    // Off the checkpoint and this run's appends, not one payload read per queued session. A
    // queued session without a print cannot match, so the index holds every id it must skip.
    for (const [id, fp] of await store.fingerprints()) built.addPrint(id, fp);
    // Issue 10: the index keeps every new session's print; the queue file need not keep another.
    store.sharePrints?.(built);
    return built;
  }
  return {
    async mark(items: EnqueueItem[]): Promise<void> {
      if (!items.some((i) => i.payload.fp)) return;
      index ??= build();
      const idx = await index;
      for (const item of items) {
        const fp = item.payload.fp;
        // A duplicate id is not a replay of itself; planEnqueue ignores it. (The index knows the
        // ids it kept; a duplicate of one whose buckets were full is looked up, then dropped
        // by planEnqueue all the same.)
        if (!fp || idx.has(item.id)) continue;
        const earlier = idx.matchThenAdd(item.id, fp);
        if (earlier !== undefined) {
          item.payload.replayOf = earlier;
          delete item.text; // serialised before the mark: serialise again
          item.payload.provisional = replayVerdict(item.payload.provisional, earlier, thresholds);
        }
      }
    },
  };
}
