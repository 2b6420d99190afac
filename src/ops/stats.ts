import { stat } from "node:fs/promises";
import type { QueueStore } from "../queue/store.js";
import type { QueueSummary } from "../queue/summary.js";

export interface StatsResult extends QueueSummary {
  queue: string;
  fileBytes: number;
}

export async function stats(store: QueueStore, now: () => number): Promise<StatsResult> {
  const summary = await store.summary(now());
  const fileBytes = await stat(store.path).then(
    (s) => s.size,
    () => 0,
  );
  return { queue: store.path, fileBytes, ...summary };
}
