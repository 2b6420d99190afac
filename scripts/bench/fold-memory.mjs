// Issue 10: the fold's memory per session. Run with --expose-gc: node fold-memory.mjs QUEUE
// Prints JSON: heap + array-buffer bytes the folded state holds, per session.
import { openQueueStore } from "../../dist/queue/store.js";

const gc = globalThis.gc;
if (!gc) throw new Error("run with --expose-gc");
const path = process.argv[2];
gc();
const before = process.memoryUsage();
const store = openQueueStore({ path, checkpointBytes: Number.POSITIVE_INFINITY });
const state = await store.refresh();
gc();
const after = process.memoryUsage();
const held = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
const sessions = state.sessions.size;
process.stdout.write(
  `${JSON.stringify({ sessions, bytesPerSession: held / sessions, columnBytes: state.sessions.columnBytes() })}\n`,
);
await store.close();
