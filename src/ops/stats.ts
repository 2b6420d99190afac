import type { QueueBackend } from "../queue/backend.js";
import type { QueueSummary } from "../queue/summary.js";

export interface StatsResult extends QueueSummary {
  queue: string;
  fileBytes: number;
}

export async function stats(store: QueueBackend, now: () => number): Promise<StatsResult> {
  const [summary, fileBytes] = await Promise.all([store.summary(now()), store.bytes()]);
  return { queue: store.path, fileBytes, ...summary };
}
