import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cliWorld, ROOT } from "../support/cli.js";

// Issue 13, part 3, through the built binary: a human trace queued, then the same trace moved,
// scaled and shifted in time under another id, in a later enqueue run; process fails the replay.
const lines = gunzipSync(readFileSync(join(ROOT, "fixtures/eval-sample/human-webbot.ndjson.gz")))
  .toString("utf8")
  .split("\n")
  .filter(Boolean);

describe("replayed traces (built binary)", () => {
  it("a replay queued after its original fails with replayed-trace naming the original", async () => {
    const original = JSON.parse(lines[3]!);
    const other = JSON.parse(lines[4]!);
    const replay = {
      ...original,
      sessionId: "replay-1",
      movements: original.movements.map((p: { x: number; y: number; timestamp: number }) => ({
        ...p,
        x: p.x * 1.1 + 40,
        y: p.y * 1.1 - 25,
        timestamp: p.timestamp + 86_400_000,
      })),
    };
    const w = await cliWorld();
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
    const replay = {
      ...original,
      sessionId: "replay-2",
      movements: original.movements.map((p: { x: number; y: number; timestamp: number }) => ({
        ...p,
        x: p.x + 12,
        timestamp: p.timestamp + 3_600_000,
      })),
    };
    const w = await cliWorld();
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
});
