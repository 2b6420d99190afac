/**
 * Issue 5: the `watch` loop over a real queue file with an injected clock, sleep and signals; a
 * stub engine stands in for Woodwide. Nothing here waits on a real timer.
 */
import { mkdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceError } from "../../src/errors.js";
import { until } from "../support/fake-clock.js";
import { finalCounts, journalEvents } from "../support/process-world.js";
import { gate, watchWorld } from "../support/watch-world.js";

type World = Awaited<ReturnType<typeof watchWorld>>;
let world: World | undefined;
afterEach(async () => {
  world?.stop.abort();
  await world?.close();
  world = undefined;
});

async function started(flags = {}) {
  world = await watchWorld(flags);
  return world;
}

const SEC = 1_000;
const MIN = 60_000;

describe("watch loop: when it processes", () => {
  it("min batch: waits with 9 due, takes one batch at the check that sees 10", async () => {
    const w = await started();
    await w.enqueue(9);
    const loop = w.start();
    await w.clock.waitForSleep(30 * SEC);
    expect(w.stub.calls).toHaveLength(0);
    await w.enqueue(1);
    await w.tick();
    expect(w.stub.sizes()).toEqual([10]);
    expect(w.decisions().map((d) => [d.due, d.process])).toEqual([
      [9, false],
      [10, true],
    ]);
    expect((await w.summary()).scored).toBe(10);
    w.stop.abort();
    expect(await loop).toMatchObject({ ended: "stopped", batches: 1, sessions: 10, checks: 2 });
  });

  it("max wait: 3 due go 5 minutes after they were enqueued, later ones 5 minutes after that batch", async () => {
    const w = await started();
    const t0 = w.clock.now();
    await w.enqueue(3);
    const loop = w.start();
    await w.clock.waitForSleep(30 * SEC);
    for (let i = 0; i < 9; i++) await w.tick(); // 4m30s: not yet
    expect(w.stub.calls).toHaveLength(0);
    await w.tick(); // 5m
    expect(w.stub.calls).toEqual([{ at: t0 + 5 * MIN, size: 3 }]);
    await w.enqueue(2);
    for (let i = 0; i < 9; i++) await w.tick();
    expect(w.stub.calls).toHaveLength(1);
    await w.tick();
    expect(w.stub.calls[1]).toEqual({ at: t0 + 10 * MIN, size: 2 });
    w.stop.abort();
    await loop;
  });

  it("drain: 120 due make 50, 50, 20 in one check; 105 due leave 5 for max wait", async () => {
    const w = await started();
    await w.enqueue(120);
    const loop = w.start();
    await w.clock.waitForSleep(30 * SEC);
    expect(w.stub.sizes()).toEqual([50, 50, 20]);
    await w.enqueue(105);
    await w.tick();
    expect(w.stub.sizes()).toEqual([50, 50, 20, 50, 50]);
    expect((await w.summary()).due).toBe(5);
    w.stop.abort();
    expect(await loop).toMatchObject({ batches: 5, sessions: 220 });
  });

  it("idle: checks every interval, never calls the engine, writes nothing but its heartbeats", async () => {
    const w = await started();
    const loop = w.start();
    await w.clock.waitForSleep(30 * SEC);
    for (let i = 0; i < 20; i++) await w.tick();
    expect(w.stub.calls).toHaveLength(0);
    expect(w.decisions()).toHaveLength(21);
    expect(w.decisions().every((d) => !d.process && d.reason === "nothing due")).toBe(true);
    w.stop.abort();
    expect(await loop).toMatchObject({ ended: "stopped", checks: 21, batches: 0 });
    // Issue 9: one heartbeat per check (after it), and a goodbye on the clean stop.
    const kinds = (await readFile(w.queue, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).t);
    expect(kinds).toEqual([...Array(21).fill("heartbeat"), "heartbeat"]);
  });
});

describe("watch loop: failures", () => {
  it("outage then recovery: 503s back the sessions off, the loop goes on, each session is scored once", async () => {
    const w = await started();
    w.stub.behave(async (call) => {
      if (call <= 2)
        throw new ServiceError("503 Service Unavailable", {
          retryable: true,
          kind: "server",
        });
    });
    await w.enqueue(12);
    const loop = w.start();
    await w.clock.waitForSleep(30 * SEC);
    expect((await w.summary()).backoff).toBe(12); // attempt 1 failed, waiting < 2 s
    await w.tick();
    expect((await w.summary()).retrying).toBe(12); // attempt 2 failed too
    await w.tick();
    const s = await w.summary();
    expect(s).toMatchObject({ scored: 12, due: 0, dead: 0 });
    expect(s.totals.failures).toEqual({ server: 2 });
    expect(w.stub.sizes()).toEqual([12, 12, 12]);
    const counts = finalCounts(await journalEvents(w.queue));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(12);
    // Failures and the last success live in the queue file: they survive compaction (metrics).
    await w.other.compact({ now: w.clock.now(), retentionMs: Number.POSITIVE_INFINITY });
    const compacted = await w.summary();
    expect(compacted.totals).toEqual(s.totals);
    expect(compacted.lastSuccess).toEqual(s.lastSuccess);
    expect(compacted.lastSuccess?.outcome).toBe("scored");
    expect(compacted.lastBatch).toEqual(s.lastBatch);
    w.stop.abort();
    expect(await loop).toMatchObject({ ended: "stopped", batches: 3 });
  });

  it("a non-retryable refusal (401) ends the loop as `failed` and burns nothing", async () => {
    const w = await started();
    w.stub.behave(async () => {
      throw new ServiceError("401 invalid key", { retryable: false, kind: "unauthorized" });
    });
    await w.enqueue(10);
    const r = await w.start();
    expect(r).toMatchObject({ ended: "failed", batches: 1 });
    expect(r.error?.message).toMatch(/401 invalid key/);
    expect(await w.summary()).toMatchObject({ due: 10, retrying: 0, inFlight: 0 });
  });

  it("an engine bug (a plain Error) ends the loop too, with the sessions released", async () => {
    const w = await started();
    await w.enqueue(10);
    w.stub.behave(async () => {
      throw new Error("engine bug");
    });
    const r = await w.start();
    expect(r).toMatchObject({ ended: "failed", error: { message: "engine bug" } });
    const s = await w.summary();
    expect(s).toMatchObject({ due: 10, inFlight: 0 });
    expect(s.totals.failures).toEqual({ error: 1 });
  });

  it("a check that throws (queue unreadable) is reported and retried; five in a row end the loop", async () => {
    const w = await started();
    await mkdir(w.queue); // reading a directory fails with EISDIR
    const loop = w.start();
    await w.clock.waitForSleep(30 * SEC);
    await w.tick();
    const errors = () => w.events.filter((e) => e.type === "check-error");
    expect(errors().map((e) => e.type === "check-error" && e.inARow)).toEqual([1, 2]);
    await rmdir(w.queue);
    await w.enqueue(10);
    await w.tick();
    expect(w.stub.sizes()).toEqual([10]);
    await rm(w.queue);
    await mkdir(w.queue);
    for (let i = 0; i < 4; i++) await w.tick();
    w.clock.advance(30 * SEC);
    const r = await loop;
    expect(r).toMatchObject({ ended: "failed", batches: 1, error: { code: "EISDIR" } });
    expect(errors()).toHaveLength(7);
  });
});

describe("watch loop: shutdown", () => {
  it("stop mid-batch: the batch in flight finishes, no new batch is taken", async () => {
    const w = await started();
    const g = gate();
    w.stub.behave((_n, signal) => g.wait(signal));
    await w.enqueue(60); // 2 batches planned
    const loop = w.start();
    await until(() => w.stub.calls.length === 1);
    w.stop.abort();
    expect(w.events.at(-1)).toEqual({ type: "stopping", inFlight: true });
    g.open();
    expect(await loop).toMatchObject({ ended: "stopped", batches: 1, sessions: 50 });
    expect(await w.summary()).toMatchObject({ scored: 50, due: 10, inFlight: 0 });
    expect(w.clock.pending()).toEqual([]); // the shutdown timeout was cancelled
  });

  it("stop mid-batch past the shutdown timeout: the batch is released, nothing burned", async () => {
    const w = await started();
    const g = gate();
    w.stub.behave((_n, signal) => g.wait(signal));
    await w.enqueue(20);
    const loop = w.start({ shutdownTimeoutMs: 10 * SEC });
    await until(() => w.stub.calls.length === 1);
    w.stop.abort();
    await w.clock.waitForSleep(10 * SEC);
    w.clock.advance(10 * SEC);
    expect(await loop).toMatchObject({ ended: "stopped", batches: 1 });
    expect(w.events.map((e) => e.type)).toContain("releasing");
    const s = await w.summary();
    expect(s).toMatchObject({ due: 20, inFlight: 0, scored: 0, retrying: 0 });
    expect(s.lastBatch).toMatchObject({ outcome: "released", message: "interrupted" });
    expect(s.totals.failures).toBeUndefined(); // an interruption is not a failure
  });

  it("a second signal releases the batch in flight at once and ends as `killed`", async () => {
    const w = await started();
    const g = gate();
    w.stub.behave((_n, signal) => g.wait(signal));
    await w.enqueue(10);
    const loop = w.start();
    await until(() => w.stub.calls.length === 1);
    w.stop.abort();
    w.kill.abort();
    expect(await loop).toMatchObject({ ended: "killed" });
    expect(await w.summary()).toMatchObject({ due: 10, inFlight: 0 });
  });
});

describe("watch loop: the queue file changes under it", () => {
  it("keeps working when the file is cleared (compacted and replaced) by another process", async () => {
    const w = await started();
    await w.enqueue(10);
    const loop = w.start();
    await w.clock.waitForSleep(30 * SEC);
    const before = (await stat(w.queue)).ino;
    await w.other.transact((s) => ({
      events: [{ event: { t: "remove", at: w.clock.now(), ids: [...s.sessions.keys()] } }],
      value: undefined,
    }));
    await w.other.compact({ now: w.clock.now(), retentionMs: 0 });
    expect((await stat(w.queue)).ino).not.toBe(before);
    await w.enqueue(11);
    await w.tick();
    expect(w.stub.sizes()).toEqual([10, 11]);
    expect(await w.summary()).toMatchObject({ sessions: 11, scored: 11 });
    w.stop.abort();
    await loop;
  });

  it("drops results past retention on the maintenance schedule", async () => {
    const w = await started({ "queue.retention": "1h", "watch.interval": "5m" });
    await w.enqueue(10);
    const loop = w.start({ maintainEveryMs: 10 * MIN });
    await w.clock.waitForSleep(5 * MIN);
    expect((await w.summary()).scored).toBe(10);
    for (let i = 0; i < 13; i++) await w.tick(5 * MIN); // 65 min later
    const maintained = w.events.filter((e) => e.type === "maintained");
    expect(maintained).toHaveLength(1);
    expect(maintained[0]).toMatchObject({ report: { expired: 10, sessionsAfter: 0 } });
    const s = await w.summary();
    expect(s).toMatchObject({ sessions: 0 });
    expect(s.totals).toMatchObject({ scored: 10, batches: 1 }); // totals survive compaction
    expect(s.lastBatch?.outcome).toBe("scored");
    w.stop.abort();
    await loop;
  });
});
