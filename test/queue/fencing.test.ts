/**
 * Issue 10, fencing: the queue lock is a lease, and a writer starved past its stale time goes on
 * appending without knowing it lost the lock. These put such a writer's line into each window it
 * can hit and check that no line is lost and no fold goes wrong: appended between a holder's fold
 * and its append, between a compaction's fold and its rename, or into a journal already replaced.
 */
import { appendFileSync } from "node:fs";
import { open, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compactJournal } from "../../src/queue/compact.js";
import {
  appendDurably,
  assertStillNamed,
  JournalReplacedError,
} from "../../src/queue/journal-file.js";
import { planClaim, planEnqueue, planResults } from "../../src/queue/plans.js";
import { fakePayload, fakeResult } from "../support/payload.js";
import { readQueueState } from "../support/queue-state.js";
import { trackedStore } from "../support/stores.js";
import { tempDir } from "../support/temp.js";

/** The journal line another process would have written to enqueue `id` (read off a queue of its own). */
async function foreignEnqueueLine(id: string, at: number): Promise<string> {
  const path = join(await tempDir(), "other.jsonl");
  const other = trackedStore({ path });
  await other.transact((s) => planEnqueue(s, [{ id, payload: fakePayload(7) }], at));
  return readFile(path, "utf8");
}

async function queueWith(ids: string[]) {
  const path = join(await tempDir(), "queue.jsonl");
  const warnings: string[] = [];
  const store = trackedStore({ path, now: () => 1_000, warn: (m) => warnings.push(m) });
  await store.transact((s) =>
    planEnqueue(
      s,
      ids.map((id, i) => ({ id, payload: fakePayload(i + 1) })),
      1_000,
    ),
  );
  return { path, store, warnings };
}

describe("a line appended by a writer that had lost the lock", () => {
  it("between a holder's fold and its append: the holder folds the file anew, nothing is misread", async () => {
    const { path, store } = await queueWith(["a"]);
    const line = await foreignEnqueueLine("starved", 1_500);
    const r = await store.transact((s) => {
      appendFileSync(path, line); // lands after the fold, before this append
      return planEnqueue(s, [{ id: "b", payload: fakePayload(2) }], 2_000);
    });
    expect(r).toEqual({ accepted: ["b"], duplicates: [] });
    // The store's own view: every session where the file has it, nothing corrupt.
    const state = await store.refresh();
    expect([...state.sessions.keys()]).toEqual(["a", "starved", "b"]);
    expect(state.corrupt).toEqual([]);
    expect((await store.readSession(state.sessions.get("b")!)).features.durationMs).toBe(2000);
    expect((await store.readSession(state.sessions.get("starved")!)).features.durationMs).toBe(
      7000,
    );
    // The next write appends after all of it, and a fresh reader agrees.
    await store.transact((s) => planEnqueue(s, [{ id: "c", payload: fakePayload(3) }], 3_000));
    const fresh = await readQueueState(path);
    expect([...fresh.sessions.keys()]).toEqual(["a", "starved", "b", "c"]);
    expect(fresh.corrupt).toEqual([]);
    expect((await store.refresh()).corrupt).toEqual([]);
  });

  it("between a compaction's fold and its rename: carried into the new journal, and said", async () => {
    const { path, store, warnings } = await queueWith(["a", "b"]);
    // b is scored long ago, so the compaction drops it (and archives it: an archiving mark is
    // appended to the old journal, which must not be carried over).
    await store.transact((s) =>
      planClaim(s, { now: 1_100, max: 2, leaseMs: 100, owner: "t", batch: "b1" }),
    );
    await store.transact((s) =>
      planResults(s, "b1", [{ id: "b", result: fakeResult("local", 3) }], 1_100),
    );
    const state = await store.refresh();
    const foldedEnd = (await stat(path)).size;
    const line = await foreignEnqueueLine("starved", 1_500);
    let checks = 0;
    const carried: number[] = [];
    const report = await compactJournal(
      path,
      state,
      { now: 10_000_000, retentionMs: 1_000 },
      () => {
        // The second check comes just before the rename: the starved writer appends then.
        if (++checks === 2) appendFileSync(path, line);
      },
      { foldedEnd, onCarried: (n) => carried.push(n) },
    );
    expect(checks).toBe(2);
    expect(report).toMatchObject({ kept: 1, removed: 1, archived: 1 });
    expect(carried).toEqual([1]);
    const after = await readQueueState(path);
    expect([...after.sessions.keys()]).toEqual(["a", "starved"]);
    expect(after.corrupt).toEqual([]);
    // The archive pointer is the compaction's own (its mark was not carried over to reset it).
    expect(after.archive?.size).toBeGreaterThan(0);
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).t)).toEqual(["meta", "snapshot", "enqueue"]);
    expect(warnings).toEqual([]);
  });

  it("into a journal already replaced: the append is an error, never a silent success", async () => {
    const dir = await tempDir();
    const path = join(dir, "queue.jsonl");
    await writeFile(path, "one\n");
    const fh = await open(path, "a");
    const written = await fh.stat();
    await assertStillNamed(path, written); // still the journal: no error
    await writeFile(join(dir, "new.jsonl"), "compacted\n");
    await rename(join(dir, "new.jsonl"), path); // a compaction replaced it meanwhile
    await fh.writeFile("two\n");
    await fh.close();
    await expect(assertStillNamed(path, written)).rejects.toThrow(JournalReplacedError);
    await expect(assertStillNamed(path, written)).rejects.toThrow(
      `${path} was replaced while this process appended to it (it had lost the queue lock to another process while it was starved); what it appended may not be in the queue`,
    );
    // appendDurably to the journal as it is now is fine, and says where the file ends.
    expect(await appendDurably(path, "three\n", 10)).toBe(16);
    expect(await readFile(path, "utf8")).toBe("compacted\nthree\n");
  });
});
