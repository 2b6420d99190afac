/**
 * Issue 8, defect 4, through the CLI: a processor a day fast claims a batch and dies. Before the
 * fix its sessions stayed in flight for a day; now they are due one lease after the first check
 * that sees the claim, whether that check is a `process` or a cron `process --if-due`.
 */
import { expect, it } from "vitest";
import { openQueue } from "../../src/api/queue.js";
import { describeBackends } from "../support/backends.js";
import { inProcessWorld, mixedSessions } from "../support/process-world.js";

const DAY = 86_400_000;

async function claimWithClockAhead(w: Awaited<ReturnType<typeof inProcessWorld>>) {
  const fast = () => w.now() + DAY;
  // The fast host's claim, through the backend as its `process` would make it.
  const q = await openQueue(w.queue, { env: w.env, configFile: false, now: fast });
  try {
    const opts = { now: fast(), max: 10, leaseMs: 60_000, owner: "fast-host", batch: "b-fast" };
    expect(await q.internals.store.claim(opts)).toHaveLength(4);
  } finally {
    await q.close();
  }
}

describeBackends("a lease stamped by a clock running ahead", (b) => {
  it.each([
    ["process", ["process", "--engine", "local", "--json"]],
    ["process --if-due", ["process", "--if-due", "--engine", "local", "--json"]],
  ])("expires one lease after %s first sees it", async (_name, firstCheck) => {
    const w = await inProcessWorld({}, b);
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
