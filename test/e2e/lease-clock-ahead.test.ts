/**
 * Issue 8, defect 4, through the CLI: a processor a day fast claims a batch and dies. Before the
 * fix its sessions stayed in flight for a day; now they are due one lease after the first check
 * that sees the claim, whether that check is a `process` or a cron `process --if-due`.
 */
import { describe, expect, it } from "vitest";
import { planClaim } from "../../src/queue/plans.js";
import { openQueueStore } from "../../src/queue/store.js";
import { inProcessWorld, mixedSessions } from "../support/process-world.js";

const DAY = 86_400_000;

async function claimWithClockAhead(w: Awaited<ReturnType<typeof inProcessWorld>>) {
  const fast = () => w.now() + DAY;
  const store = openQueueStore({ path: w.queue, now: fast });
  try {
    const opts = { now: fast(), max: 10, leaseMs: 60_000, owner: "fast-host", batch: "b-fast" };
    await store.transact((s) => planClaim(s, opts));
  } finally {
    await store.close();
  }
}

describe("a lease stamped by a clock running ahead", () => {
  it.each([
    ["process", ["process", "--engine", "local", "--json"]],
    ["process --if-due", ["process", "--if-due", "--engine", "local", "--json"]],
  ])("expires one lease after %s first sees it", async (_name, firstCheck) => {
    const w = await inProcessWorld();
    expect(
      (
        await w.run(
          ["enqueue"],
          mixedSessions(4, () => false),
        )
      ).code,
    ).toBe(0);
    await claimWithClockAhead(w);
    const first = await w.run(firstCheck);
    expect(first.code).toBe(0);
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats).toMatchObject({ inFlight: 4, due: 0 });

    w.advance(50_000);
    expect(JSON.parse((await w.run(["stats", "--json"])).stdout)).toMatchObject({ inFlight: 4 });
    w.advance(10_000);
    expect(JSON.parse((await w.run(["stats", "--json"])).stdout)).toMatchObject({
      due: 4,
      expiredLeases: 4,
    });
    const r = await w.run(["process", "--engine", "local", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ scored: 4, lost: 0 });
  });
});
