import { existsSync } from "node:fs";
import { appendFile, lstat, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planClaim, planEnqueue, planRemove, planResults } from "../../src/queue/plans.js";
import { fakePayload, fakeResult } from "../support/payload.js";
import { trackedStore } from "../support/stores.js";
import { tempDir } from "../support/temp.js";

async function queueWith(ids: string[], now = () => 1_000) {
  const path = join(await tempDir(), "q", "queue.jsonl");
  const warnings: string[] = [];
  const store = trackedStore({ path, now, warn: (m) => warnings.push(m) });
  const items = ids.map((id, i) => ({ id, payload: fakePayload(i + 1) }));
  await store.transact((s) => planEnqueue(s, items, now()));
  return { path, store, warnings };
}

describe("queue store", () => {
  it("appends whole lines, folds them, and reads payloads back by offset", async () => {
    const { path } = await queueWith(["a", "b"]);
    const text = await readFile(path, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trim().split("\n")).toHaveLength(2);
    const other = trackedStore({ path });
    const state = await other.refresh();
    expect([...state.sessions.keys()]).toEqual(["a", "b"]);
    const payload = await other.readSession(state.sessions.get("b")!);
    expect(payload.features.durationMs).toBe(2000);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("writes a chunk's multi-byte lines at the offsets it folds (é, emoji, CJK)", async () => {
    // Issue 10: the chunk is encoded line by line into one buffer; every later line's offset is
    // the sum of the UTF-8 lengths before it, so a wrong length would misplace the reads.
    const ids = ["é-1", "😀-2", "plain-3", "日本-4", "ß·ü-5", "last-6"];
    const path = join(await tempDir(), "q", "queue.jsonl");
    const store = trackedStore({ path, now: () => 1_000 });
    const items = ids.map((id, i) => {
      const payload = fakePayload(i + 1);
      payload.meta.userId = `${id}·ü`;
      return { id, payload };
    });
    await store.transact((s) => planEnqueue(s, items, 1_000));
    const bytes = await readFile(path);
    const state = await trackedStore({ path }).refresh();
    expect([...state.sessions.keys()]).toEqual(ids);
    for (const id of state.sessions.keys()) {
      const payload = await store.readSession(state.sessions.get(id)!);
      expect(payload.meta.userId).toBe(`${id}·ü`);
    }
    expect(bytes.length).toBe(Buffer.byteLength(bytes.toString("utf8")));
  });

  it("reports duplicates already in the file and within one append", async () => {
    const { store } = await queueWith(["a"]);
    const r = await store.transact((s) =>
      planEnqueue(
        s,
        [
          { id: "a", payload: fakePayload() },
          { id: "c", payload: fakePayload() },
          { id: "c", payload: fakePayload() },
        ],
        5,
      ),
    );
    expect(r).toEqual({ accepted: ["c"], duplicates: ["a", "c"] });
  });

  it("ignores a torn last line when reading and repairs it on the next write", async () => {
    const { path, store, warnings } = await queueWith(["a"]);
    await appendFile(path, '{"t":"enqueue","at":5,"id":"torn","x":{"feat');
    const reader = trackedStore({ path });
    expect([...(await reader.refresh()).sessions.keys()]).toEqual(["a"]);
    await store.transact((s) => planEnqueue(s, [{ id: "b", payload: fakePayload() }], 6));
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines.filter((l) => l.includes("torn"))).toHaveLength(0);
    expect(JSON.parse(lines[1]!)).toMatchObject({ t: "enqueue", id: "b" });
    expect(warnings.join()).toMatch(/torn last line/);
    expect(await readFile(`${path}.quarantine`, "utf8")).toMatch(/torn last line/);
    expect([...(await reader.refresh()).sessions.keys()]).toEqual(["a", "b"]);
  });

  it("keeps a corrupt middle line in quarantine, reports it, and keeps the rest", async () => {
    const { path } = await queueWith(["a"]);
    await appendFile(path, "this is not json\n");
    const store = trackedStore({ path, warn: () => undefined });
    await store.transact((s) => planEnqueue(s, [{ id: "b", payload: fakePayload() }], 6));
    const reader = trackedStore({ path });
    const state = await reader.refresh();
    expect(state.corrupt).toHaveLength(0);
    expect([...state.sessions.keys()].sort()).toEqual(["a", "b"]);
    const q = (await readFile(`${path}.quarantine`, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(q).toEqual([
      expect.objectContaining({ reason: "corrupt line", text: "this is not json", line: 2 }),
    ]);
  });

  // Issue 8, defect 2: quarantine once kept only the first 4,096 characters of a line.
  it("keeps a long corrupt line whole in quarantine, however long", async () => {
    const { path } = await queueWith(["a"]);
    const long = `{"t":"enZueue","at":5,"id":"b","x":{"pad":"${"p".repeat(50_000)}"}}`;
    await appendFile(path, `${long}\n`);
    await trackedStore({ path, warn: () => undefined }).transact(() => ({ events: [], value: 0 }));
    const [entry] = (await readFile(`${path}.quarantine`, "utf8")).trim().split("\n");
    expect(JSON.parse(entry!)).toMatchObject({ reason: "corrupt line", line: 2, text: long });
  });

  it("a reader sees a corrupt line before any writer has moved it", async () => {
    const { path } = await queueWith(["a"]);
    await writeFile(path, `${await readFile(path, "utf8")}{"t":"enqueue"\n`);
    const state = await trackedStore({ path }).refresh();
    expect(state.corrupt.map((c) => c.line)).toEqual([2]);
  });

  it("compaction keeps live sessions and results, drops expired ones, and other readers follow", async () => {
    let now = 1_000;
    const { path, store } = await queueWith(["a", "b", "c"], () => now);
    const reader = trackedStore({ path });
    await reader.refresh();
    const claimed = await store.transact((s) =>
      planClaim(s, { now, max: 2, leaseMs: 100, owner: "t", batch: "b1" }),
    );
    expect(claimed.map((r) => r.id)).toEqual(["a", "b"]);
    await store.transact((s) =>
      planResults(s, "b1", [{ id: "a", result: fakeResult("local", 3) }], now),
    );
    now = 2_000;
    await store.transact((s) =>
      planResults(s, "b1", [{ id: "b", result: fakeResult("local", 0.5) }], now),
    );
    const before = (await stat(path)).size;
    const report = await store.compact({ now: 2_500, retentionMs: 1_000 });
    expect(report).toMatchObject({ kept: 2, expired: 1, quarantined: 0 });
    expect((await stat(path)).size).toBeLessThan(before);
    const state = await reader.refresh();
    expect([...state.sessions.keys()].sort()).toEqual(["b", "c"]);
    const b = state.sessions.get("b")!;
    expect(b.status).toBe("scored");
    expect((await reader.readResult(b))?.anomalyScore).toBe(0.5);
    expect((await reader.readSession(state.sessions.get("c")!)).features.durationMs).toBe(3000);
    expect(state.totals.scored).toBe(2);
  });

  // Issue 8, defect 1: a batch held records folded before another process compacted the file;
  // after the store reopened the new file, reads at the old offsets returned other sessions.
  it("reads a session and a result by id, never at an offset left stale by a compaction", async () => {
    const ids = ["a", "b", "c", "d", "e"];
    const { path, store } = await queueWith(ids);
    await store.transact((s) =>
      planClaim(s, { now: 1_000, max: 1, leaseMs: 60_000, owner: "t", batch: "b1" }),
    );
    await store.transact((s) =>
      planResults(s, "b1", [{ id: "a", result: fakeResult("local", 7) }], 1_000),
    );
    const held = await store.refresh();
    const stale = ids.map((id) => ({ ...held.sessions.get(id)! }));
    const other = trackedStore({ path });
    await other.transact((s) =>
      planRemove(s, { processedOnly: false, olderThanMs: undefined }, 1_000),
    );
    await other.transact((s) =>
      planEnqueue(
        s,
        ["e", "d", "c", "b", "a"].map((id, i) => ({ id, payload: fakePayload(10 + i) })),
        1_100,
      ),
    );
    await other.transact((s) =>
      planClaim(s, { now: 1_200, max: 1, leaseMs: 60_000, owner: "t", batch: "b2" }),
    );
    await other.transact((s) =>
      planResults(s, "b2", [{ id: "a", result: fakeResult("local", 0.25) }], 1_200),
    );
    await other.compact({ now: 1_300, retentionMs: Infinity });
    // A lease renewal (any transaction) makes the holder reopen the compacted file.
    await store.transact(() => ({ events: [], value: undefined }));
    const durations = await Promise.all(
      stale.map(async (rec) => (await store.readSession(rec)).features.durationMs),
    );
    expect(durations).toEqual([14_000, 13_000, 12_000, 11_000, 10_000]);
    expect((await store.readResult(stale[0]!))?.anomalyScore).toBe(0.25);
    expect(await store.readResult(stale[4]!)).toBeUndefined();
  });

  it("refuses an offset in the middle of a line instead of parsing from there", async () => {
    const { store } = await queueWith(["a", "b"]);
    const state = await store.refresh();
    const b = state.sessions.get("b")!;
    const shifted = { ...b, id: "a", ref: b.ref + 7 };
    expect((await store.readSession(shifted)).features.durationMs).toBe(1000);
  });

  // Issue 8, defect 3: a compaction replaced the link with a regular file (two queues from
  // then on), and the lock was taken per path string, so two paths never excluded each other.
  it("a symlinked queue path locks and compacts the real file, and stays a link", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "real"));
    const real = join(dir, "real", "queue.jsonl");
    const link = join(dir, "link.jsonl");
    await symlink("real/queue.jsonl", link); // dangling until the first write
    const viaLink = trackedStore({ path: link });
    const viaReal = trackedStore({ path: real });
    const lockSeen: boolean[] = [];
    await viaLink.transact((s) => {
      lockSeen.push(existsSync(`${real}.lock`), existsSync(`${link}.lock`));
      return planEnqueue(s, [{ id: "a", payload: fakePayload() }], 1);
    });
    expect(lockSeen).toEqual([true, false]);
    await viaReal.transact((s) => planEnqueue(s, [{ id: "b", payload: fakePayload(2) }], 2));
    await viaLink.compact({ now: 3, retentionMs: Infinity });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    await viaLink.transact((s) => planEnqueue(s, [{ id: "c", payload: fakePayload(3) }], 4));
    expect([...(await viaReal.refresh()).sessions.keys()]).toEqual(["a", "b", "c"]);
    expect(await viaLink.resolvePath()).toBe(real);
  });

  // A torture run (300 kills on a loaded machine) once saw a compaction drop sessions whose
  // lines were not where its fold said: it must abort and change nothing instead.
  it("a compaction whose fold does not match the file aborts and changes nothing", async () => {
    const { path, store } = await queueWith(["a", "b", "c"]);
    await store.refresh();
    const [first] = (await readFile(path, "utf8")).split("\n");
    await writeFile(path, `${first}\n${"x".repeat(40)}\n`); // rewritten in place, same inode
    const before = await readFile(path, "utf8");
    await expect(store.compact({ now: 5, retentionMs: Infinity })).rejects.toThrow(
      /compaction aborted, nothing changed: session [bc]'s line is not at byte \d+/,
    );
    expect(await readFile(path, "utf8")).toBe(before);
    // The store folds the file anew after the abort; the next compaction works on what is there.
    const report = await store.compact({ now: 6, retentionMs: Infinity });
    expect(report).toMatchObject({ kept: 1 });
    expect([...(await store.refresh()).sessions.keys()]).toEqual(["a"]);
    expect(await readFile(`${path}.quarantine`, "utf8")).toContain("x".repeat(40));
  });

  it("many stores appending at once lose and duplicate nothing", async () => {
    const { path } = await queueWith([]);
    const writers = Array.from({ length: 4 }, () => trackedStore({ path }));
    await Promise.all(
      writers.map(async (store, w) => {
        for (let i = 0; i < 20; i++) {
          const items = [
            { id: `w${w}-${i}`, payload: fakePayload() },
            { id: `shared-${i}`, payload: fakePayload() },
          ];
          await store.transact((s) => planEnqueue(s, items, i));
        }
      }),
    );
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(4 * 20 + 20);
    const state = await trackedStore({ path }).refresh();
    expect(state.sessions.size).toBe(100);
  });
});
