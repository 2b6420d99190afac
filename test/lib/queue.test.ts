/**
 * Issue 12: the library in-process. Each call goes through the code the CLI runs (ops/), so these
 * pin the API's shapes and errors; the CLI's behaviour is pinned by its own tests.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { queueOf } from "../../src/api/queue.js";
import {
  ConfigError,
  closeQueues,
  getSessionResult,
  InputRejectedError,
  IoError,
  openQueue,
  PlayProofError,
  scoreSession,
  UnknownSessionError,
  UsageError,
} from "../../src/index.js";
import { describeBackends, type TestBackend } from "../support/backends.js";
import { makeSession } from "../support/sessions.js";
import { tempDir } from "../support/temp.js";

async function fresh(b: TestBackend, settings: Record<string, string | number> = {}) {
  const dir = await tempDir("ppb-lib-");
  const env = { HOME: dir, PLAYPROOF_CONFIG_DIR: join(dir, "config") };
  const warnings: string[] = [];
  const location = b.queue(dir);
  const q = await openQueue(location, {
    env,
    settings,
    onWarning: (m) => warnings.push(m),
  });
  return { dir, env, location, q, warnings };
}

describeBackends("openQueue", (b) => {
  it("enqueues objects with a per-record report, as the CLI validates them", async () => {
    const { q } = await fresh(b);
    const r = await q.enqueue([
      makeSession(0),
      { sessionId: "bad", movements: [{ x: 1 }] },
      makeSession(0),
      makeSession(1),
    ]);
    expect(r).toMatchObject({ read: 4, accepted: 2, duplicates: 1, rejected: 1 });
    expect(r.records.accepted.map((a) => a.sessionId)).toEqual(["s_0", "s_1"]);
    expect(r.records.duplicates).toEqual(["s_0"]);
    expect(r.records.rejected).toEqual([
      { line: 2, message: "line 2 (bad): movements[0].y: missing (expected a number)" },
    ]);
    // Text as the CLI reads it: NDJSON in a string, one object alone.
    const text = await q.enqueue(`${JSON.stringify(makeSession(2))}\n`);
    expect(text).toMatchObject({ accepted: 1 });
    expect((await q.enqueue(makeSession(3))).accepted).toBe(1);
    const nan = await q.enqueue({ ...makeSession(4), durationMs: Number.NaN });
    // NaN would be JSON null ("absent"): refused as a file's "NaN" is (design.md: finite numbers).
    expect(nan.records.rejected).toEqual([
      { line: 1, message: 'line 1 (s_4): durationMs: expected a number, got string "NaN"' },
    ]);
    await q.close();
  });

  it("result, results, stats, process and clear", async () => {
    const { q } = await fresh(b);
    await q.enqueue([makeSession(0), makeSession(1), makeSession(2)]);
    expect(await q.result("s_1")).toMatchObject({
      sessionId: "s_1",
      status: "queued",
      provisional: true,
      from: "queue",
    });
    expect(await q.stats()).toMatchObject({ sessions: 3, due: 3, scored: 0 });
    const summary = await q.process({ maxBatches: 1 });
    expect(summary).toMatchObject({ engine: "local", batches: 1, sessions: 3, scored: 3 });
    const scored: string[] = [];
    for await (const r of q.results({ state: "scored", source: ["local"] }))
      scored.push(r.sessionId);
    expect(scored).toEqual(["s_0", "s_1", "s_2"]);
    expect(await q.clear({ processed: true })).toEqual({ removed: 3, archived: 3, remaining: 0 });
    expect(await q.result("s_2")).toMatchObject({ from: "archive", status: "scored" });
    await q.close();
  });

  it("concurrent enqueue calls share appends, each answered with its own records", async () => {
    const { dir, q: base } = await fresh(b);
    // Counts the handle's locked appends (the backend's enqueue steps).
    let appends = 0;
    const store = base.internals.store;
    const counting = {
      ...store,
      enqueue: ((items, at) => {
        appends++;
        return store.enqueue(items, at);
      }) as typeof store.enqueue,
    };
    const q = queueOf({ ...base.internals, store: counting });
    const reports = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        // Call 19 names s_0 again: the first call to name it has it, 19 reports a duplicate.
        q.enqueue(i === 19 ? [makeSession(0), makeSession(19)] : makeSession(i)),
      ),
    );
    expect(reports.map((r) => [r.accepted, r.duplicates])).toEqual(
      Array.from({ length: 20 }, (_, i) => (i === 19 ? [1, 1] : [1, 0])),
    );
    expect(reports[19]!.records).toMatchObject({
      accepted: [{ sessionId: "s_19" }],
      duplicates: ["s_0"],
    });
    expect(appends).toBeGreaterThan(0);
    expect(appends).toBeLessThan(20); // one append per call without coalescing
    if (b.kind === "file") {
      // The journal itself: one enqueue line per session, whichever append carried it.
      const lines = (await readFile(join(dir, "queue.jsonl"), "utf8")).trim().split("\n");
      expect(lines.filter((l) => l.startsWith('{"t":"enqueue"'))).toHaveLength(20);
    }
    expect((await q.stats()).sessions).toBe(20);
    await q.close();
  });

  it("a long-lived handle sees what another process wrote on its next read", async () => {
    const { q, location, env } = await fresh(b);
    // A second handle on the same queue stands for another process: its own store and appends.
    const other = await openQueue(location, { env, onWarning: () => undefined });
    await q.enqueue([makeSession(0), makeSession(1)]);
    expect(await q.result("s_0")).toMatchObject({ status: "queued", provisional: true });
    await other.enqueue(makeSession(2));
    expect(await q.result("s_2")).toMatchObject({ sessionId: "s_2", status: "queued" });
    await other.process();
    // Concurrent reads right after the write share one check, and every one sees the result.
    const after = await Promise.all(["s_0", "s_1", "s_2", "s_0"].map((id) => q.result(id)));
    expect(after.map((r) => [r.sessionId, r.status, r.provisional, r.result.source])).toEqual([
      ["s_0", "scored", false, "local"],
      ["s_1", "scored", false, "local"],
      ["s_2", "scored", false, "local"],
      ["s_0", "scored", false, "local"],
    ]);
    expect(await q.getSessionResult("s_1")).toEqual((await other.result("s_1")).result);
    // A compaction replaces the file: offsets change, the handle reads the new file.
    await other.enqueue(makeSession(3));
    expect(await other.clear({ processed: true })).toMatchObject({ removed: 3, remaining: 1 });
    expect(await q.result("s_0")).toMatchObject({ from: "archive", status: "scored" });
    expect(await q.result("s_3")).toMatchObject({ from: "queue", status: "queued" });
    await other.close();
    await q.close();
  });

  it("throws its error classes, with code and exitCode", async () => {
    const { q, env, dir } = await fresh(b);
    const unknown = await q.result("nope").catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UnknownSessionError);
    expect(unknown).toBeInstanceOf(PlayProofError);
    expect(unknown).toMatchObject({ code: "UNKNOWN_SESSION", exitCode: 3 });

    const filter = async () => {
      for await (const _ of q.results({ decision: "maybe" })) break;
    };
    await expect(filter()).rejects.toThrow(
      new UsageError("results: decision: expected pass, review, fail, got maybe"),
    );
    await expect(q.process({ maxBatches: 0 })).rejects.toMatchObject({
      code: "USAGE",
      exitCode: 2,
    });
    await expect(q.clear({ olderThan: "soon" })).rejects.toBeInstanceOf(UsageError);

    const redis = await openQueue("redis://user:pw@cache:6379/0?bogus=1", { env }).catch(
      (e: unknown) => e,
    );
    expect(redis).toBeInstanceOf(ConfigError);
    expect(redis).toMatchObject({
      code: "CONFIG",
      exitCode: 78,
      message:
        "openQueue()'s path is redis://user:****@cache:6379/0?bogus=1: unknown parameter bogus (known: prefix, connectTimeout, commandTimeout)",
    });
    await mkdir(join(dir, "adir"));
    await expect(openQueue(join(dir, "adir"), { env })).rejects.toBeInstanceOf(IoError);
    await expect(
      openQueue(join(dir, "q"), { env, settings: { "process.bogus": 1 } as never }),
    ).rejects.toThrow("openQueue: unknown setting process.bogus");
    const badSize = await openQueue(b.queue(dir, "q2"), {
      env,
      settings: { "process.batchSize": 0 },
    });
    await badSize.enqueue(makeSession(0));
    await expect(badSize.process()).rejects.toMatchObject({ code: "USAGE" });
    await badSize.close();
    await q.close();
  });
});

describeBackends("scoreSession and getSessionResult (PlayProof's meaning)", (b) => {
  it("without useBatch: the heuristic verdict, nothing queued", async () => {
    const { q } = await fresh(b);
    const r = await q.scoreSession(makeSession(0));
    expect(r).toMatchObject({
      sessionId: "s_0",
      provisional: true,
      queued: false,
      result: { source: "heuristic" },
    });
    expect((await q.stats()).sessions).toBe(0);
    await expect(q.scoreSession({ sessionId: "" })).rejects.toBeInstanceOf(InputRejectedError);
    await q.close();
  });

  it("with useBatch: queued; getSessionResult is null until a batch scores it, then the verdict", async () => {
    const { q } = await fresh(b);
    const first = await q.scoreSession(makeSession(0), { useBatch: true });
    expect(first).toMatchObject({
      queued: true,
      duplicate: false,
      provisional: true,
      result: { source: "heuristic" },
    });
    expect(await q.getSessionResult("s_0")).toBeNull();
    expect(await q.getSessionResult("never")).toBeNull();
    await q.process();
    const verdict = await q.getSessionResult("s_0");
    expect(verdict).toMatchObject({ source: "local" });
    // Scored already: scoreSession answers the batch verdict, as the original did.
    const again = await q.scoreSession(makeSession(0), { useBatch: true });
    expect(again).toEqual({
      sessionId: "s_0",
      result: verdict,
      provisional: false,
      queued: true,
      duplicate: true,
    });
    await q.close();
  });

  it("module-level functions use the queue they are given, or the configured one", async () => {
    const { dir } = await fresh(b);
    const path = b.queue(dir, "module");
    const r = await scoreSession(makeSession(7), { useBatch: true, queue: path });
    expect(r.queued).toBe(true);
    expect(await getSessionResult("s_7", { queue: path })).toBeNull();
    const q = await openQueue(path, { env: { HOME: dir, PLAYPROOF_CONFIG_DIR: join(dir, "c") } });
    expect((await q.stats()).sessions).toBe(1);
    await q.close();
    await closeQueues();
  });
});
