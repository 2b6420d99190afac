/**
 * Issue 9, defect 16, through the built binary and the fake Woodwide: a batch released by Ctrl-C
 * says "interrupted" (not the AbortError's "This operation was aborted"), and once the session is
 * scored later, `result` no longer shows that old error.
 */
import { execa } from "execa";
import { afterEach, expect, it } from "vitest";
import { describeBackends } from "../support/backends.js";
import { BIN, cliWorld } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";
import { logLines } from "../support/log-lines.js";
import { woodwideEnv } from "../support/process-world.js";
import { ndjson } from "../support/sessions.js";

let fake: FakeWoodwide | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describeBackends("an interrupted batch, then a scored one", (b) => {
  it("logs (interrupted); the scored session shows no last error", async () => {
    fake = await startFakeWoodwide({ latencyMs: 3_000 });
    const f = fake;
    const w = await cliWorld(woodwideEnv(f), b);
    expect((await w.run(["enqueue"], { input: ndjson(3, { points: 20 }) })).exitCode).toBe(0);
    const child = execa("node", [BIN, "process", "--mode", "direct"], {
      env: w.env,
      reject: false,
    });
    await eventually(
      async () => (f.requests.length > 0 ? true : undefined),
      10_000,
      "the batch to reach Woodwide",
    );
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).not.toMatch(/aborted/i);
    expect(logLines(r.stderr)).toContainEqual(
      expect.stringMatching(/^warning: batch \S+: released, 3 sessions in \S+: \(interrupted\)$/),
    );
    const before = JSON.parse((await w.run(["result", "s_1", "--json"])).stdout);
    expect(before).toMatchObject({ status: "queued", lastError: "interrupted" });

    f.settings.latencyMs = 0;
    const again = await w.run(["process", "--mode", "direct"]);
    expect(again.exitCode).toBe(0);
    const after = await w.run(["result", "s_1", "--json"]);
    const res = JSON.parse(after.stdout);
    expect(res).toMatchObject({ status: "scored", provisional: false });
    expect(res).not.toHaveProperty("lastError");
    expect((await w.run(["result", "s_1"])).stdout).not.toContain("last error");
  }, 60_000);
});
