/**
 * Issue 8, defect 1: a compaction while a batch is in flight must not give a dead-lettered
 * session another session's fallback result. Seen before the fix: a linear bot dead-lettered
 * with a human's features (decision pass), or "corrupt record at byte N" on a healthy file.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { openQueueStore } from "../../src/queue/store.js";
import { useFakeServer } from "../support/fake-client.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import { inProcessWorld, mixedSessions, woodwideEnv } from "../support/process-world.js";

const server = useFakeServer({}, DEFAULT_SETTINGS);

async function resultOf(queue: string, id: string) {
  const store = openQueueStore({ path: queue });
  try {
    const rec = (await store.refresh()).sessions.get(id)!;
    return { status: rec.status, result: await store.readResult(rec) };
  } finally {
    await store.close();
  }
}

describe("process with a compaction mid-batch", () => {
  it("dead-letters a session with a fallback scored on its own features", async () => {
    const w = await inProcessWorld(woodwideEnv(server.fake));
    expect(
      (
        await w.run(
          ["enqueue"],
          mixedSessions(20, () => false),
        )
      ).code,
    ).toBe(0);
    expect((await w.run(["process", "--engine", "local", "--json"])).code).toBe(0);
    expect(
      (
        await w.run(
          ["enqueue"],
          mixedSessions(1, () => true, 20),
        )
      ).code,
    ).toBe(0);

    server.fake.settings.latencyMs = 1_500;
    server.fake.setFault({ kind: "empty-body", on: "any" });
    const processing = w.run(["process", "--attempts", "1", "--lease", "1s", "--batch-size", "1"]);
    await sleep(700);
    const cleared = await w.run(["clear", "--processed", "--older-than", "100000h", "--yes"]);
    expect(cleared.code).toBe(0);
    const processed = await processing;
    expect(processed.stderr).not.toMatch(/corrupt record/);

    const alone = await inProcessWorld();
    expect(
      (
        await alone.run(
          ["enqueue"],
          mixedSessions(1, () => true, 20),
        )
      ).code,
    ).toBe(0);
    expect((await alone.run(["process", "--engine", "local"])).code).toBe(0);
    const own = await resultOf(alone.queue, "s_20");
    const dead = await resultOf(w.queue, "s_20");
    expect(dead.status).toBe("dead");
    expect(dead.result).toMatchObject({
      source: "fallback",
      decision: own.result!.decision,
      anomalyScore: own.result!.anomalyScore,
    });
    expect(own.result!.decision).not.toBe("pass"); // the humans around it pass
  });
});
