import type { QueueBackend } from "../queue/backend.js";
import type { QueueSummary } from "../queue/summary.js";

export interface StatsResult extends QueueSummary {
  queue: string;
  /** Where the queue lives (issue 11): a JSON-lines file, or a Redis queue. */
  backend: QueueBackend["kind"];
  /** The journal's size; on Redis, the memory its keys take (MEMORY USAGE, sampled). */
  fileBytes: number;
}

export async function stats(store: QueueBackend, now: () => number): Promise<StatsResult> {
  const [summary, fileBytes] = await Promise.all([store.summary(now()), store.bytes()]);
  return { queue: store.path, backend: store.kind, fileBytes, ...summary };
}
