import { planBoundLeases } from "./plans.js";
import type { QueueStore } from "./store.js";

/**
 * Writes the bound of runaway leases (planBoundLeases) when the folded state has any, so a
 * check that claims nothing (cron's `process --if-due`, a `watch` tick) still starts their
 * clock. Takes the lock only when there is something to write.
 */
export async function boundRunawayLeases(store: QueueStore, now: number): Promise<number> {
  if (planBoundLeases(await store.refresh(), now).value === 0) return 0;
  return store.transact((s) => planBoundLeases(s, now));
}
