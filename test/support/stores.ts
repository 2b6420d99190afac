import { afterEach } from "vitest";
import { openQueueStore, type QueueStore, type QueueStoreOptions } from "../../src/queue/store.js";

const open: QueueStore[] = [];

/** A queue store closed after the test (closing writes its checkpoint, when one is due). */
export function trackedStore(opts: QueueStoreOptions): QueueStore {
  const store = openQueueStore(opts);
  open.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
