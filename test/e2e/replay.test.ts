import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { describeBackends, libraryView } from "../support/backends.js";
import { cliWorld, ROOT } from "../support/cli.js";
import { ndjson } from "../support/sessions.js";

// Issue 13, part 3, through the built binary: a human trace queued, then the same trace moved,
// scaled and shifted in time under another id, in a later enqueue run; process fails the replay.
const lines = gunzipSync(readFileSync(join(ROOT, "fixtures/eval-sample/human-webbot.ndjson.gz")))
  .toString("utf8")
  .split("\n")
  .filter(Boolean);

type Point = { x: number; y: number; timestamp: number };

/** `original`'s trace under another id, each point moved by `move`. */
function replayOf(original: { movements: Point[] }, sessionId: string, move: (p: Point) => Point) {
  return { ...original, sessionId, movements: original.movements.map(move) };
}

describeBackends("replayed traces (built binary)", (b) => {
  it("a replay queued after its original fails with replayed-trace naming the original", async () => {
    const original = JSON.parse(lines[3]!);
    const other = JSON.parse(lines[4]!);
    const replay = replayOf(original, "replay-1", (p) => ({
      ...p,
      x: p.x * 1.1 + 40,
      y: p.y * 1.1 - 25,
      timestamp: p.timestamp + 86_400_000,
    }));
    const w = await cliWorld({}, b);
    const first = [original, other].map((s) => JSON.stringify(s)).join("\n");
    expect((await w.run(["enqueue"], { input: first })).exitCode).toBe(0);
    expect((await w.run(["enqueue"], { input: JSON.stringify(replay) })).exitCode).toBe(0);
    expect((await w.run(["process", "--engine", "local", "--json"])).exitCode).toBe(0);
    const result = async (id: string) =>
      JSON.parse((await w.run(["result", id, "--json"])).stdout).result;
    expect(await result("replay-1")).toMatchObject({
      decision: "fail",
      reasons: expect.arrayContaining(["replayed-trace"]),
      replayOf: original.sessionId,
    });
    expect((await result(original.sessionId)).reasons).not.toContain("replayed-trace");
    expect((await result(other.sessionId)).replayOf).toBeUndefined();
  });

  it("keeps fingerprints and replay marks through compactions (a replay still fails after them)", async () => {
    const original = JSON.parse(lines[5]!);
    const replay = replayOf(original, "replay-2", (p) => ({
      ...p,
      x: p.x + 12,
      timestamp: p.timestamp + 3_600_000,
    }));
    const w = await cliWorld({}, b);
    // `clear --processed --older-than` with nothing that old removes nothing and compacts.
    const compact = ["clear", "--processed", "--older-than", "100000h", "--yes"];
    expect((await w.run(["enqueue"], { input: JSON.stringify(original) })).exitCode).toBe(0);
    expect((await w.run(compact)).exitCode).toBe(0);
    expect((await w.run(["enqueue"], { input: JSON.stringify(replay) })).exitCode).toBe(0);
    expect((await w.run(compact)).exitCode).toBe(0);
    expect((await w.run(["process", "--engine", "local", "--json"])).exitCode).toBe(0);
    const result = JSON.parse((await w.run(["result", "replay-2", "--json"])).stdout).result;
    expect(result).toMatchObject({
      decision: "fail",
      reasons: expect.arrayContaining(["replayed-trace"]),
      replayOf: original.sessionId,
    });
  });

  it("marks a replay found in a later worker group of the same run (payloads serialised on workers)", async () => {
    const original = JSON.parse(lines[3]!);
    const filler = lines.slice(6, 46);
    const bulk = ndjson(300, { points: 20 }).trim().split("\n");
    const replay = replayOf(original, "replay-3", (p) => ({
      ...p,
      y: p.y - 30,
      timestamp: p.timestamp + 60_000,
    }));
    const input = [JSON.stringify(original), ...filler, ...bulk, JSON.stringify(replay)].join("\n");
    const w = await cliWorld({}, b);
    expect((await w.run(["enqueue"], { input })).exitCode).toBe(0);
    if (b.kind === "file") {
      // The journal itself: one enqueue line per session.
      const journal = (await readFile(w.queue, "utf8")).trim().split("\n");
      expect(journal).toHaveLength(342);
    }
    // The payload as queued (what a processor claims), read through the backend.
    const q = await libraryView(w.queue, w.env);
    expect((await q.stats()).sessions).toBe(342);
    const due = await q.internals.store.due(Date.now(), 1_000);
    expect(due).toHaveLength(342);
    const payload = due.find((d) => d.rec.id === "replay-3")!.payload;
    expect(payload.replayOf).toBe(original.sessionId);
    expect(payload.provisional).toMatchObject({ decision: "fail", replayOf: original.sessionId });
    expect(payload.features.totalMoves).toBe(original.movements.length);
  });
});
