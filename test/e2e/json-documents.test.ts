/**
 * Issue 9, item 11: --json always prints its document: an idle process its zero summary, an
 * unknown result an error object (exit 3), stats every key (null when unknown), watch a JSON
 * line per batch and one when it stops; each document carries schemaVersion.
 */
import { execa } from "execa";
import { expect, it } from "vitest";
import { describeBackends } from "../support/backends.js";
import { BIN, cliWorld } from "../support/cli.js";
import { ndjson } from "../support/sessions.js";

describeBackends("--json documents", (b) => {
  it("idle process, unknown result and an empty stats still print their document", async () => {
    const w = await cliWorld({}, b);
    const idle = await w.run(["process", "--engine", "local", "--json"]);
    expect(idle.exitCode).toBe(0);
    expect(JSON.parse(idle.stdout)).toMatchObject({
      schemaVersion: 1,
      engine: "local",
      batches: 0,
      sessions: 0,
      scored: 0,
      takenOver: 0,
    });
    const unknown = await w.run(["result", "nope", "--json"]);
    expect(unknown.exitCode).toBe(3);
    expect(JSON.parse(unknown.stdout)).toEqual({ sessionId: "nope", error: "unknown session" });
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats).toMatchObject({
      schemaVersion: 1,
      sessions: 0,
      oldestDueAgeMs: null,
      lastBatch: null,
      lastSuccess: null,
      watchers: [],
    });
  });

  it("watch --json prints a line per batch and one when it stops, on stdout", async () => {
    const w = await cliWorld({}, b);
    expect((await w.run(["enqueue"], { input: ndjson(3) })).exitCode).toBe(0);
    const watch = execa(
      "node",
      [BIN, "watch", "--engine", "local", "--interval", "1s", "--min-batch", "1", "--json"],
      { env: w.env, reject: false },
    );
    let out = "";
    let stopped = false;
    watch.stdout?.on("data", (d) => {
      out += String(d);
      if (!stopped && out.includes('"type":"batch"')) stopped = watch.kill("SIGTERM");
    });
    const r = await watch;
    expect(r.exitCode).toBe(0);
    const lines = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      schemaVersion: 1,
      type: "batch",
      outcome: "scored",
      scored: 3,
    });
    expect(lines.at(-1)).toMatchObject({
      schemaVersion: 1,
      type: "stopped",
      ended: "stopped",
      sessions: 3,
    });
  });
});
