// Issue 10: memory per session. Run with --expose-gc: node fold-memory.mjs QUEUE
// Prints JSON: the fold's state (QueueState: the columns, ids, and the due index, built as the
// first claim builds it) in heap + array-buffer bytes per session, then what a store holds on
// top of it (the replay fingerprints it keeps for the checkpoint), measured apart, and the fold
// as a command loads it from the checkpoint (ids read from its file, issue 10). The lazy
// columns (attempts, backoff, done time, result offset) hold pages only where sessions were
// retried or finished: run it on a queue before and after a drain.
import { open } from "node:fs/promises";
import { parseHeader } from "../../dist/queue/events.js";
import { applyEvent, emptyState, isDueAt } from "../../dist/queue/fold.js";
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
const now = Date.now();
state.due.peek(now, 1, (slot) => isDueAt(state.sessions, slot, now));
const sessions = state.sessions.size;
const fold = held(before);
state = undefined;
gc();
before = process.memoryUsage();
const store = openQueueStore({ path, checkpointBytes: Number.POSITIVE_INFINITY });
await store.refresh();
const withStore = held(before);
await store.close();
// The fold as commands load it: from the queue's checkpoint (the ids' bytes stay in its file),
// the due index built as the first claim builds it.
gc();
before = process.memoryUsage();
const loader = openQueueStore({ path });
const loaded = await loader.refresh();
loaded.due.peek(now, 1, (slot) => isDueAt(loaded.sessions, slot, now));
const fromCheckpoint = held(before);
await loader.close();
process.stdout.write(
  `${JSON.stringify({
    sessions,
    bytesPerSession: fold / sessions,
    storeBytesPerSession: withStore / sessions,
    loadedBytesPerSession: fromCheckpoint / sessions,
  })}\n`,
);
