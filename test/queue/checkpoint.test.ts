import { existsSync } from "node:fs";
import { appendFile, open, readFile, rename, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkpointPath } from "../../src/queue/checkpoint.js";
import { idHash } from "../../src/queue/checkpoint-format.js";
import { openCheckpoint } from "../../src/queue/checkpoint-read.js";
import type { QueueState } from "../../src/queue/fold.js";
import {
  planClaim,
  planEnqueue,
  planRelease,
  planRemove,
  planResults,
  planRetry,
} from "../../src/queue/plans.js";
import { summarize } from "../../src/queue/summary.js";
import { encodeFingerprint } from "../../src/scoring/replay-fingerprint.js";
import { fakePayload, fakeResult } from "../support/payload.js";
import { trackedStore } from "../support/stores.js";
import { tempDir } from "../support/temp.js";

// Issue 10: the checkpoint is a cache of the fold. A store that starts from it must see exactly
// what a store folding the whole journal sees, and a checkpoint that does not fold this very
// journal must be ignored, never trusted.

/** Every session, claim, error and total of a state, as plain data. */
function picture(state: QueueState) {
  return {
    sessions: [...state.sessions.values()],
    summary: summarize(state, 50_000),
    lines: state.lines,
    superseded: state.superseded,
    watchers: [...state.watchers.values()],
    claimOrder: planClaim(state, {
      now: 50_000,
      max: 100,
      leaseMs: 10,
      owner: "o",
      batch: "probe",
    }).value.map((r) => r.id),
  };
}

/** A journal with every kind of session: queued, claimed, scored, dead, retried, removed. */
async function busyQueue(checkpointBytes: number) {
  const path = join(await tempDir(), "queue.jsonl");
  const store = trackedStore({ path, now: () => 1_000, checkpointBytes });
  const ids = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, "0")}`);
  const items = ids.map((id, i) => ({ id, payload: fakePayload(i + 1) }));
  await store.transact((s) => planEnqueue(s, items, 1_000));
  await store.transact((s) =>
    planClaim(s, { now: 2_000, max: 20, leaseMs: 100_000, owner: "p", batch: "b1" }),
  );
  const record = (from: number, to: number, at: number) =>
    store.transact((s) =>
      planResults(
        s,
        "b1",
        ids.slice(from, to).map((id, i) => ({
          id,
          result: fakeResult("local", from + i),
          dead: (from + i) % 4 === 0 ? "5 attempts" : undefined,
        })),
        at,
      ),
    );
  await record(0, 6, 3_000);
  await record(6, 12, 3_500);
  await store.transact((s) =>
    planRetry(s, "b1", ids.slice(12, 16), { now: 3_000, notBefore: 60_000, reason: "server" }),
  );
  // `clear --processed --older-than`: the first six results leave, s03 among them.
  await store.transact((s) => planRemove(s, { processedOnly: true, olderThanMs: 400 }, 3_500));
  const more = ["n1", "n2", "s03"].map((id) => ({ id, payload: fakePayload(7) }));
  await store.transact((s) => planEnqueue(s, more, 4_000));
  await store.close();
  return path;
}

describe("queue checkpoint (issue 10)", () => {
  it("starts a store where the whole fold would be, then folds the tail", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const writer = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    const items = ["a", "b", "c", "d"].map((id, i) => ({ id, payload: fakePayload(i + 1) }));
    await writer.transact((s) => planEnqueue(s, items, 1_000));
    await writer.transact((s) =>
      planClaim(s, { now: 2_000, max: 2, leaseMs: 100_000, owner: "p", batch: "b1" }),
    );
    await writer.transact((s) =>
      planResults(s, "b1", [{ id: "a", result: fakeResult("local", 3) }], 3_000),
    );
    await writer.transact((s) =>
      planRetry(s, "b1", ["b"], { now: 3_000, notBefore: 9_000, reason: "server 503" }),
    );
    await writer.close();
    expect(existsSync(checkpointPath(path))).toBe(true);
    // Lines written after the checkpoint: the tail a reader folds on top of it.
    const tailWriter = trackedStore({ path, now: () => 5_000, checkpointBytes: Infinity });
    await tailWriter.transact((s) => planEnqueue(s, [{ id: "e", payload: fakePayload(9) }], 5_000));
    await tailWriter.close();

    const fromCheckpoint = await trackedStore({ path }).refresh();
    const folded = await trackedStore({ path, checkpointBytes: Infinity }).refresh();
    expect(picture(fromCheckpoint)).toEqual(picture(folded));
    expect([...fromCheckpoint.sessions.keys()]).toEqual(["a", "b", "c", "d", "e"]);
    expect(fromCheckpoint.sessions.get("b")).toEqual({
      id: "b",
      status: "queued",
      enqueuedAt: 1_000,
      attempts: 1,
      notBefore: 9_000,
      lastError: "server 503",
      ref: expect.any(Number),
    });
    const reader = trackedStore({ path });
    const b = (await reader.refresh()).sessions.get("a")!;
    expect((await reader.readResult(b))?.anomalyScore).toBe(3);
  });

  it("gives the same state as a full fold for every kind of session", async () => {
    const path = await busyQueue(0);
    const a = picture(await trackedStore({ path }).refresh());
    const b = picture(await trackedStore({ path, checkpointBytes: Infinity }).refresh());
    expect(a).toEqual(b);
    expect(a.summary).toMatchObject({
      sessions: 37,
      scored: 5,
      dead: 1,
      inFlight: 4,
      backoff: 4,
      due: 23,
    });
  });

  it.each([
    [
      "the journal was replaced (a compaction elsewhere)",
      async (path: string) => {
        const text = await readFile(path, "utf8");
        await writeFile(`${path}.new`, text.replace('"s05"', '"s5x"'));
        await rename(`${path}.new`, path);
      },
    ],
    [
      "the journal was cut shorter than the checkpoint",
      async (path: string) => truncate(path, 200),
    ],
    ["the checkpoint is cut short", async (path: string) => truncate(checkpointPath(path), 300)],
    ["the checkpoint is not one", async (path: string) => writeFile(checkpointPath(path), "{}\n")],
  ])("ignores the checkpoint when %s", async (_name, spoil) => {
    const path = await busyQueue(0);
    await spoil(path);
    const a = picture(await trackedStore({ path }).refresh());
    const b = picture(await trackedStore({ path, checkpointBytes: Infinity }).refresh());
    expect(a).toEqual(b);
  });

  it("is refreshed by a writer once the tail passes the threshold, not before", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const store = trackedStore({ path, now: () => 1_000, checkpointBytes: 2_000 });
    const batch = (from: number) =>
      Array.from({ length: 5 }, (_, i) => ({ id: `s${from + i}`, payload: fakePayload() }));
    await store.transact((s) => planEnqueue(s, batch(0), 1_000));
    const first = (await readFile(path)).length;
    expect(first).toBeLessThan(2_000);
    expect(existsSync(checkpointPath(path))).toBe(false);
    for (let k = 1; k < 10; k++) await store.transact((s) => planEnqueue(s, batch(5 * k), 1_000));
    expect(existsSync(checkpointPath(path))).toBe(true);
    await appendFile(path, "");
    const restored = await trackedStore({ path }).refresh();
    expect(restored.sessions.size).toBe(50);
  });
});

describe("sparse columns through a checkpoint (issue 10: pages of defaults are never made)", () => {
  it("restores 70,000 sessions whose done, retried and dead rows sit in the second page only", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const store = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    const ids = Array.from({ length: 70_000 }, (_, i) => `s${i}`);
    await store.transact((s) =>
      planEnqueue(
        s,
        ids.map((id) => ({ id, payload: fakePayload() })),
        1_000,
      ),
    );
    const cols = (await store.refresh()).sessions.columnBytes();
    // Enqueued only: the status column, and two packed pages of enqueue times and of offsets.
    expect(cols).toBe(131_072 + 2 * 65_536 * (4 + 4));
    // The oldest first: claim 66,000 and give most of them back, so the rows that leave their
    // defaults are 65,990 and up (page 1 of 65,536 rows).
    await store.transact((s) =>
      planClaim(s, { now: 2_000, max: 66_000, leaseMs: 100_000, owner: "p", batch: "b1" }),
    );
    await store.transact((s) => planRelease(s, "b1", ids.slice(0, 65_990), 2_500, "shutdown"));
    await store.transact((s) =>
      planResults(
        s,
        "b1",
        ids.slice(65_990, 65_995).map((id, i) => ({
          id,
          result: fakeResult("local", i),
          dead: i === 0 ? "5 attempts" : undefined,
        })),
        3_000,
      ),
    );
    await store.transact((s) =>
      planRetry(s, "b1", ids.slice(65_995, 66_000), { now: 3_000, notBefore: 9_000, reason: "x" }),
    );
    await store.close();
    const restored = await trackedStore({ path }).refresh();
    const folded = await trackedStore({ path, checkpointBytes: Infinity }).refresh();
    expect(picture(restored)).toEqual(picture(folded));
    expect(restored.sessions.get("s65995")).toMatchObject({ attempts: 1, notBefore: 9_000 });
    expect(restored.sessions.get("s65990")).toMatchObject({ status: "dead", attempts: 1 });
    expect(restored.sessions.get("s1")).toMatchObject({ status: "queued", attempts: 0 });
    // Restored exactly: status rows as many as slots, two packed pages of enqueue times and of
    // offsets, and one page of each sparse column (times and offsets packed).
    expect(restored.sessions.columnBytes()).toBe(
      70_000 + 2 * 65_536 * (4 + 4) + 65_536 * (2 + 4 * 3),
    );
  });
});

describe("replay fingerprints from the checkpoint (issues 10 and 13)", () => {
  const print = (k: number) =>
    Int8Array.from({ length: 64 }, (_, i) => ((i * 7 + k * 13) % 200) - 100);
  const withPrint = (k: number) => ({ ...fakePayload(k), fp: encodeFingerprint(print(k)) });

  it("lists every live session's fingerprint, whoever wrote it and whether it is in the checkpoint", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const writer = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    const item = (k: number) => ({ id: `a${k}`, payload: k === 3 ? fakePayload(k) : withPrint(k) });
    await writer.transact((s) => planEnqueue(s, [item(1), item(2)], 1_000));
    await writer.transact((s) => planEnqueue(s, [item(3), item(4)], 1_400));
    // a1 and a2 leave (enqueued 500 ms before, over 300); a3 has no fingerprint.
    await writer.transact((s) => planRemove(s, { processedOnly: false, olderThanMs: 300 }, 1_500));
    await writer.close();
    // After the checkpoint: another writer's sessions (their payloads are read) and this one's.
    const other = trackedStore({ path, now: () => 3_000, checkpointBytes: Infinity });
    await other.transact((s) => planEnqueue(s, [{ id: "b1", payload: withPrint(9) }], 3_000));
    await other.close();
    const reader = trackedStore({ path, checkpointBytes: Infinity });
    const mine = trackedStore({ path, now: () => 4_000 });
    await mine.transact((s) => planEnqueue(s, [{ id: "c1", payload: withPrint(11) }], 4_000));
    const expected = [
      ["a4", print(4)],
      ["b1", print(9)],
      ["c1", print(11)],
    ];
    expect(await mine.fingerprints()).toEqual(expected);
    expect(await reader.fingerprints()).toEqual(expected);
  });
});

describe("fingerprints streamed from the old checkpoint into the new one (issue 10)", () => {
  const print = (k: number) =>
    Int8Array.from({ length: 64 }, (_, i) => ((i * 3 + k * 17) % 250) - 125);

  it("2,600 sessions, runs of rows broken by removals, across 1,024-print chunks, plus new ones", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const first = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    // Every seventh session has no fingerprint; the rest make the old checkpoint's rows.
    const items = Array.from({ length: 2_600 }, (_, k) => ({
      id: `s${k}`,
      payload: { ...fakePayload(k), ...(k % 7 === 0 ? {} : { fp: encodeFingerprint(print(k)) }) },
    }));
    await first.transact((s) => planEnqueue(s, items, 1_000));
    await first.close(); // the checkpoint holds 2,228 prints
    const second = trackedStore({ path, now: () => 2_000, checkpointBytes: 0 });
    const removed = new Set([1, 2, 500, 1_023, 1_024, 1_025, 2_599]);
    await second.transact(() => ({
      events: [{ event: { t: "remove", at: 2_000, ids: [...removed].map((k) => `s${k}`) } }],
      value: undefined,
    }));
    const more = [
      { id: "n1", payload: { ...fakePayload(9), fp: encodeFingerprint(print(9_001)) } },
    ];
    await second.transact((s) => planEnqueue(s, more, 2_000));
    const expected = [
      ...items
        .map((_, k) => k)
        .filter((k) => k % 7 !== 0 && !removed.has(k))
        .map((k) => [`s${k}`, print(k)]),
      ["n1", print(9_001)],
    ];
    expect(expected).toHaveLength(2_600 - 372 - 7 + 1);
    expect(await second.fingerprints()).toEqual(expected);
    await second.close(); // its checkpoint: the old one's rows, read as written, and n1
    expect(await trackedStore({ path }).fingerprints()).toEqual(expected);
  });
});

describe("a writer's checkpoints as it goes (issue 10)", () => {
  const print = (k: number) =>
    Int8Array.from({ length: 64 }, (_, i) => ((i * 11 + k * 5) % 240) - 120);

  /** The checkpoint's header and its (hash, slot) pairs, read as a reader reads them. */
  async function checkpointOf(path: string) {
    const journal = await open(path, "r");
    try {
      const reader = await openCheckpoint(checkpointPath(path), journal, (await stat(path)).ino);
      if (!reader) throw new Error("no valid checkpoint");
      try {
        const bytes = await reader.section("byHash");
        const words = new Uint32Array(bytes.length / 4);
        new Uint8Array(words.buffer).set(bytes);
        return { slots: reader.header.slots, live: reader.header.live, words };
      } finally {
        await reader.close();
      }
    } finally {
      await journal.close();
    }
  }

  it("keeps every fingerprint across three checkpoints of its own, and sorts the id index", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const store = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    const expected: [string, Int8Array][] = [];
    const written: number[] = [];
    for (let round = 0; round < 3; round++) {
      const items = Array.from({ length: 1_500 }, (_, j) => {
        const k = round * 1_500 + j;
        if (k % 5 !== 0) expected.push([`r${k}`, print(k)]);
        const fp = k % 5 === 0 ? {} : { fp: encodeFingerprint(print(k)) };
        return { id: `r${k}`, payload: { ...fakePayload(k), ...fp } };
      });
      // Each append is over a quarter of the journal: the store writes a checkpoint after it.
      await store.transact((s) => planEnqueue(s, items, 1_000 + round));
      written.push((await checkpointOf(path)).slots);
    }
    expect(written).toEqual([1_500, 3_000, 4_500]);
    expect(await store.fingerprints()).toEqual(expected);
    expect(await trackedStore({ path }).fingerprints()).toEqual(expected);
    // The id index: every live slot once, by hash, ties by slot.
    const { live, words } = await checkpointOf(path);
    expect(live).toBe(4_500);
    const pairs = Array.from({ length: live }, (_, i) => [words[2 * i]!, words[2 * i + 1]!]);
    const want = Array.from({ length: 4_500 }, (_, slot) => [idHash(`r${slot}`), slot]).sort(
      (a, b) => a[0]! - b[0]! || a[1]! - b[1]!,
    );
    expect(pairs).toEqual(want);
  });
});

describe("fingerprints a holder shares with the store (issue 10: one copy of each)", () => {
  const print = (k: number) =>
    Int8Array.from({ length: 64 }, (_, i) => ((i * 5 + k * 19) % 230) - 115);
  const item = (id: string, k: number | undefined) => ({
    id,
    payload: { ...fakePayload(1), ...(k === undefined ? {} : { fp: encodeFingerprint(print(k)) }) },
  });

  it("are read from the holder by the checkpoint, only where the holder's bytes are the session's", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const store = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    // The holder: h1, h2 as queued; "stale" under another print (an id it saw before, since
    // removed and queued anew); it never saw "own"; "bare" has a print there but none here.
    const held = new Map([
      ["h1", print(1)],
      ["h2", print(2)],
      ["stale", print(99)],
      ["bare", print(7)],
    ]);
    const asked: string[] = [];
    store.sharePrints({
      printOf: (id) => {
        asked.push(id);
        return held.get(id);
      },
    });
    const items = [item("h1", 1), item("stale", 3), item("bare", undefined), item("own", 4)];
    await store.transact((s) => planEnqueue(s, [...items, item("h2", 2)], 1_000));
    // Each appended print checked once; then the checkpoint takes h1's and h2's from the holder.
    expect(asked).toEqual(["h1", "stale", "own", "h2", "h1", "h2"]);
    expect(existsSync(checkpointPath(path))).toBe(true);
    await store.close();
    const expected = [
      ["h1", print(1)],
      ["stale", print(3)],
      ["own", print(4)],
      ["h2", print(2)],
    ];
    expect(await trackedStore({ path }).fingerprints()).toEqual(expected);
    expect(await trackedStore({ path, checkpointBytes: Infinity }).fingerprints()).toEqual(
      expected,
    );
  });

  it("leave no checkpoint when the holder has lost one (a cache: the journal still has it)", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const store = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    let asks = 0;
    store.sharePrints({ printOf: (id) => (id === "h1" && asks++ === 0 ? print(1) : undefined) });
    await store.transact((s) => planEnqueue(s, [item("h1", 1), item("own", 4)], 1_000));
    expect(asks).toBe(2);
    expect(existsSync(checkpointPath(path))).toBe(false);
    expect(await trackedStore({ path }).fingerprints()).toEqual([
      ["h1", print(1)],
      ["own", print(4)],
    ]);
  });
});

describe("fingerprints after a compaction (issue 13: kept for the retention window)", () => {
  it("are read off the snapshot lines, by every store, with or without a checkpoint", async () => {
    const print = (k: number) =>
      Int8Array.from({ length: 64 }, (_, i) => ((i * 5 + k * 11) % 200) - 100);
    const path = join(await tempDir(), "queue.jsonl");
    const writer = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    const items = [1, 2, 3].map((k) => ({
      id: `s${k}`,
      payload: { ...fakePayload(k), ...(k === 2 ? {} : { fp: encodeFingerprint(print(k)) }) },
    }));
    await writer.transact((s) => planEnqueue(s, items, 1_000));
    await writer.compact({ now: 2_000, retentionMs: Number.POSITIVE_INFINITY });
    const expected = [
      ["s1", print(1)],
      ["s3", print(3)],
    ];
    expect(await writer.fingerprints()).toEqual(expected);
    await writer.close(); // writes the compacted file's checkpoint
    expect(await trackedStore({ path }).fingerprints()).toEqual(expected);
    expect(await trackedStore({ path, checkpointBytes: Infinity }).fingerprints()).toEqual(
      expected,
    );
  });
});

describe("stats off the checkpoint with a tail (issue 10: streamed, the tail's sessions read apart)", () => {
  it("equals the summary of a full fold, whatever the tail did to which sessions", async () => {
    const path = await busyQueue(0);
    // A tail the checkpoint does not hold: claims (one expiring), results, a retry with a
    // reason, a dead letter, a removal, and new sessions.
    const tail = trackedStore({ path, now: () => 5_000, checkpointBytes: Infinity });
    await tail.transact((s) =>
      planClaim(s, { now: 5_000, max: 6, leaseMs: 1_000, owner: "q", batch: "t1" }),
    );
    const claimed = [...(await tail.refresh()).sessions.values()]
      .filter((r) => r.claim?.batch === "t1")
      .map((r) => r.id);
    expect(claimed).toHaveLength(6);
    await tail.transact((s) =>
      planResults(
        s,
        "t1",
        [
          { id: claimed[0]!, result: fakeResult("local", 1) },
          { id: claimed[1]!, result: fakeResult("local", 3), dead: "5 attempts" },
        ],
        5_100,
      ),
    );
    await tail.transact((s) =>
      planRetry(s, "t1", [claimed[2]!], { now: 5_100, notBefore: 90_000, reason: "timeout" }),
    );
    await tail.transact((s) => planRemove(s, { processedOnly: true, olderThanMs: 0 }, 5_200));
    await tail.transact((s) => planEnqueue(s, [{ id: "late", payload: fakePayload(3) }], 5_300));
    await tail.close();
    for (const now of [5_500, 7_000, 100_000]) {
      const streamed = await trackedStore({ path }).summary(now);
      const folded = summarize(
        await trackedStore({ path, checkpointBytes: Infinity }).refresh(),
        now,
      );
      expect(streamed).toEqual(folded);
    }
    const at7000 = await trackedStore({ path }).summary(7_000);
    expect(at7000).toMatchObject({ sessions: 30, expiredLeases: 3, scored: 0, dead: 0 });
  });
});
