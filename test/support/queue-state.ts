import type { QueueState } from "../../src/queue/fold.js";
import { openQueueStore } from "../../src/queue/store.js";

/** The folded state of a queue file, read with a store that is closed again. */
export async function readQueueState(path: string): Promise<QueueState> {
  const store = openQueueStore({ path });
  try {
    return await store.refresh();
  } finally {
    await store.close();
  }
}
