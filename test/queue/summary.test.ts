import { describe, expect, it } from "vitest";
import type { QueueEvent } from "../../src/queue/events.js";
import { applyEvent, emptyState } from "../../src/queue/fold.js";
import { countRows, emptyCounts, summarize, watcherState } from "../../src/queue/summary.js";
import { claim, enq } from "../support/queue-events.js";

// Issue 10: stats reads the columns; the same counts come from a whole table or from chunks of
// it (the checkpoint's streamed columns), with the tail's sessions skipped.
function busy() {
  const state = emptyState();
  const events: QueueEvent[] = [
    enq("q1", 10),
    enq("q2", 20),
    enq("r1", 30),
    enq("c1", 40),
    enq("c2", 50),
    enq("s1", 60),
    enq("d1", 70),
    claim(["r1", "c1", "c2", "s1", "d1"], "b", 1_000, 100),
    { t: "retry", at: 200, batch: "b", ids: ["r1"], notBefore: 5_000, reason: "server" },
    { t: "renew", at: 300, batch: "b", ids: ["c2"], lease: 9_000 },
    { t: "result", at: 400, batch: "b", id: "s1" },
    { t: "dead", at: 400, batch: "b", id: "d1", reason: "5 attempts" },
  ];
  for (const [i, e] of events.entries()) applyEvent(state, e, i * 100);
  return state;
}

describe("summary counts (issue 10: straight off the columns)", () => {
  it.each([
    // now: c1's lease (1,000) expired, c2 renewed to 9,000, r1 backs off until 5,000
    [500, { due: 2, backoff: 1, inFlight: 2, expiredLeases: 0, oldestDueAgeMs: 490 }],
    [1_000, { due: 3, backoff: 1, inFlight: 1, expiredLeases: 1, oldestDueAgeMs: 990 }],
    [5_000, { due: 4, backoff: 0, inFlight: 1, expiredLeases: 1, oldestDueAgeMs: 4_990 }],
    [9_000, { due: 5, backoff: 0, inFlight: 0, expiredLeases: 2, oldestDueAgeMs: 8_990 }],
  ])("at %i", (now, want) => {
    expect(summarize(busy(), now)).toMatchObject({
      sessions: 7,
      scored: 1,
      dead: 1,
      retrying: 1,
      ...want,
    });
  });

  it("is undefined oldest age and zero counts for an empty queue", () => {
    expect(summarize(emptyState(), 5)).toMatchObject({
      sessions: 0,
      due: 0,
      oldestDueAgeMs: undefined,
      corruptLines: 0,
      watchers: [],
    });
  });

  it("counts chunks of rows as the whole, skipping the slots it is told to", () => {
    const state = busy();
    const { cols, claims } = state.sessions;
    const whole = emptyCounts();
    countRows(whole, cols, claims, state.sessions.slots, 1_000);
    const chunked = emptyCounts();
    const skip = new Uint8Array(7);
    skip[1] = 1; // q2, counted elsewhere (the tail's copy)
    for (const [from, rows] of [
      [0, 3],
      [3, 4],
    ] as const) {
      const part = {
        status: cols.status.subarray(from, from + rows),
        attempts: { get: (i: number) => cols.attempts.get(from + i) },
        notBefore: { get: (i: number) => cols.notBefore.get(from + i) },
        enqueuedAt: { get: (i: number) => cols.enqueuedAt.get(from + i) },
      };
      countRows(chunked, part, claims, rows, 1_000, from, skip);
    }
    expect(whole).toEqual({
      sessions: 7,
      due: 3,
      backoff: 1,
      inFlight: 1,
      expiredLeases: 1,
      scored: 1,
      dead: 1,
      retrying: 1,
      oldest: 10,
    });
    expect(chunked).toEqual({ ...whole, sessions: 6, due: 2 });
  });

  it("calls a watcher stale a minute, or its interval if longer, past its next check", () => {
    const w = {
      id: "h:1:0",
      host: "h",
      pid: 1,
      started: 0,
      lastCheck: 0,
      nextCheck: 1_000,
      settings: { intervalMs: 30_000 },
    };
    expect(watcherState(w, 61_000)).toBe("alive");
    expect(watcherState(w, 61_001)).toBe("stale");
    const slow = { ...w, settings: { intervalMs: 120_000 } };
    expect(watcherState(slow, 121_000)).toBe("alive");
    expect(watcherState(slow, 121_001)).toBe("stale");
  });
});

describe("summary of queue-wide facts", () => {
  it("lists watchers with their state and copies the totals it reports", () => {
    const state = busy();
    applyEvent(
      state,
      {
        t: "heartbeat",
        at: 1_000,
        id: "h:7:0",
        host: "h",
        pid: 7,
        started: 0,
        nextCheck: 2_000,
        settings: { intervalMs: 30_000 },
      },
      0,
    );
    applyEvent(
      state,
      {
        t: "batch",
        at: 1_100,
        batch: "b",
        outcome: "retry",
        sessions: 1,
        durationMs: 5,
        engine: "woodwide",
        kind: "server",
      },
      0,
    );
    const s = summarize(state, 70_000);
    expect(s.watchers).toEqual([
      {
        id: "h:7:0",
        host: "h",
        pid: 7,
        started: 0,
        lastCheck: 1_000,
        nextCheck: 2_000,
        settings: { intervalMs: 30_000 },
        state: "stale",
      },
    ]);
    expect(s.totals).toEqual({
      batches: 1,
      scored: 1,
      retries: 1,
      dead: 1,
      failures: { server: 1 },
    });
    s.totals.failures!.server = 99;
    s.totals.batches = 99;
    expect(state.totals).toEqual({
      batches: 1,
      scored: 1,
      retries: 1,
      dead: 1,
      failures: { server: 1 },
    });
  });
});
