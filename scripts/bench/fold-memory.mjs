// Issue 10: memory per session. Run with --expose-gc: node fold-memory.mjs QUEUE
// Prints JSON: the fold's state (QueueState: the columns, ids, due index) in heap + array-buffer
// bytes per session, then what a store holds on top of it (the replay fingerprints it keeps for
// the checkpoint), measured apart.
import { open } from "node:fs/promises";
import { parseHeader } from "../../dist/queue/events.js";
import { applyEvent, emptyState } from "../../dist/queue/fold.js";
import { scanLines } from "../../dist/queue/journal-file.js";
import { openQueueStore } from "../../dist/queue/store.js";

const gc = globalThis.gc;
if (!gc) throw new Error("run with --expose-gc");
const path = process.argv[2];
const held = (before) => {
  gc();
  const after = process.memoryUsage();
  return after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
};

gc();
let before = process.memoryUsage();
let state = emptyState();
const fh = await open(path, "r");
await scanLines(fh, 0, ({ text, offset }) => {
  const event = parseHeader(text);
  if (event) applyEvent(state, event, offset);
});
await fh.close();
const sessions = state.sessions.size;
const fold = held(before);
state = undefined;
gc();
before = process.memoryUsage();
const store = openQueueStore({ path, checkpointBytes: Number.POSITIVE_INFINITY });
await store.refresh();
const withStore = held(before);
await store.close();
process.stdout.write(
  `${JSON.stringify({ sessions, bytesPerSession: fold / sessions, storeBytesPerSession: withStore / sessions })}\n`,
);
