import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { enqueue } from "../../src/ops/enqueue.js";
import { createFileBackend } from "../../src/queue/file-backend.js";
import { openQueueStore } from "../../src/queue/store.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import { ndjson } from "../support/sessions.js";
import { tempDir } from "../support/temp.js";

describe("enqueue (in-process)", () => {
  it("keeps input order across groups and chunks, with workers asked for but run inline from sources", async () => {
    const path = join(await tempDir(), "q.jsonl");
    const store = openQueueStore({ path });
    const stdin = new PassThrough();
    stdin.end(`${ndjson(300, { points: 20 })}not json\n${ndjson(5, { points: 20 })}`);
    const rejected: string[] = [];
    const accepted: string[] = [];
    const r = await enqueue({
      files: [],
      stdin,
      store: createFileBackend(store),
      thresholds: DEFAULT_THRESHOLDS,
      now: () => 1_000,
      onRejected: (m) => rejected.push(m),
      onAccepted: (id) => accepted.push(id),
      chunkSize: 64,
      workers: 2,
    });
    expect(r).toEqual({ read: 306, accepted: 300, duplicates: 5, rejected: 1 });
    expect(accepted).toEqual(Array.from({ length: 300 }, (_, i) => `s_${i}`));
    expect(rejected).toEqual([expect.stringMatching(/^line 301: invalid JSON/)]);
    expect((await store.refresh()).sessions.size).toBe(300);
    await store.close();
  });
});
