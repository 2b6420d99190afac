import { describe, expect, it } from "vitest";
import type { OutgoingEvent, QueueEvent } from "../../src/queue/events.js";
import { applyEvent, emptyState, type QueueState } from "../../src/queue/fold.js";
import {
  batchEvent,
  dueSessions,
  LEASE_SLACK_MS,
  matchesRemoveFilter,
  planBoundLeases,
  planClaim,
  planEnqueue,
  planRelease,
  planRemove,
  planRenew,
  planResults,
  planRetry,
} from "../../src/queue/plans.js";
import { fakePayload, fakeResult } from "../support/payload.js";
import { claim, enq } from "../support/queue-events.js";

// Issue 15: the planners on states built by folding events, as the store does under its lock.
// Takeover (another batch claimed the session), removal meanwhile and ids a batch never held are
// the cases a processor meets when it is slow; none may produce an event.

function fold(events: QueueEvent[]): QueueState {
  const state = emptyState();
  events.forEach((e, i) => {
    applyEvent(state, e, i);
  });
  return state;
}
const events = (plan: { events: OutgoingEvent[] }) => plan.events.map((e) => e.event);
const ok = fakeResult("local", 0.2);

describe("planEnqueue", () => {
  it("accepts new ids once, reports known and repeated ones as duplicates", () => {
    const state = fold([enq("a")]);
    const plan = planEnqueue(
      state,
      ["b", "a", "c", "b"].map((id, n) => ({ id, payload: fakePayload(n) })),
      7,
    );
    expect(plan.value).toEqual({ accepted: ["b", "c"], duplicates: ["a", "b"] });
    expect(plan.events).toEqual([
      { event: { t: "enqueue", at: 7, id: "b" }, payload: fakePayload(0) },
      { event: { t: "enqueue", at: 7, id: "c" }, payload: fakePayload(2) },
    ]);
  });
});

describe("dueSessions", () => {
  it("oldest first, ties by id; backoff and live leases are not due, expired ones are", () => {
    const state = fold([
      enq("late", 30),
      enq("b", 10),
      enq("a", 10),
      enq("first", 5),
      enq("backoff", 1),
      enq("live", 2),
      enq("expired", 3),
      enq("done", 0),
      claim(["backoff"], "x", 50),
      { t: "retry", at: 1, batch: "x", ids: ["backoff"], notBefore: 101, reason: "server" },
      claim(["live"], "y", 101),
      claim(["expired"], "z", 100),
      claim(["done"], "z", 100),
      { t: "result", at: 4, batch: "z", id: "done" },
    ]);
    expect(dueSessions(state, 100).map((r) => r.id)).toEqual([
      "expired",
      "first",
      "a",
      "b",
      "late",
    ]);
    expect(dueSessions(state, 101).map((r) => r.id)).toEqual([
      "backoff",
      "live",
      "expired",
      "first",
      "a",
      "b",
      "late",
    ]);
  });
});

describe("planClaim", () => {
  const o = { now: 1_000, max: 2, leaseMs: 600, owner: "me", batch: "b9" };

  it("claims the oldest due sessions up to max, leased now + leaseMs", () => {
    const state = fold([enq("c", 3), enq("a", 1), enq("b", 2)]);
    const plan = planClaim(state, o);
    expect(plan.value.map((r) => r.id)).toEqual(["a", "b"]);
    expect(events(plan)).toEqual([
      { t: "claim", at: 1_000, batch: "b9", ids: ["a", "b"], lease: 1_600, owner: "me" },
    ]);
  });

  it("plans nothing when nothing is due", () => {
    const state = fold([enq("a"), claim(["a"], "x", 5_000)]);
    expect(planClaim(state, o)).toEqual({ events: [], value: [] });
  });

  it("takes over a session whose lease expired, never a scored or dead one", () => {
    const state = fold([
      enq("a"),
      enq("s"),
      enq("d"),
      claim(["a", "s", "d"], "old", 900),
      { t: "result", at: 1, batch: "old", id: "s" },
      { t: "dead", at: 1, batch: "old", id: "d", reason: "5 attempts" },
    ]);
    expect(events(planClaim(state, { ...o, max: 10 }))).toEqual([
      { t: "claim", at: 1_000, batch: "b9", ids: ["a"], lease: 1_600, owner: "me" },
    ]);
  });
});

describe("planBoundLeases: a claim stamped by a clock running ahead", () => {
  it("bounds a lease beyond now + its length + slack to now + its length, per batch", () => {
    // ttl = lease - at = 600. At now = 1000: a lease up to 1000 + 600 + 1000 is believed.
    const state = fold([
      enq("ok"),
      enq("edge"),
      enq("ahead1"),
      enq("ahead2"),
      claim(["ok"], "b-ok", 1_600, 1_000),
      claim(["edge"], "b-edge", 50_000 + 2_600, 50_000 + 2_000), // ttl 600, lease 52600
      claim(["ahead1", "ahead2"], "b-ahead", 90_600, 90_000),
    ]);
    const at = (now: number) => planBoundLeases(state, now);
    expect(LEASE_SLACK_MS).toBe(1_000);
    // edge: 52600 <= now + 600 + 1000 holds from now = 51000 on.
    expect(at(51_000).value).toBe(2);
    expect(events(at(50_999))).toEqual([
      { t: "renew", at: 50_999, batch: "b-edge", ids: ["edge"], lease: 51_599 },
      { t: "renew", at: 50_999, batch: "b-ahead", ids: ["ahead1", "ahead2"], lease: 51_599 },
    ]);
    expect(at(50_999).value).toBe(3);
  });

  it("assumes 10 minutes for a claim without a recorded length, and skips unclaimed ones", () => {
    const state = fold([enq("a"), enq("q")]);
    const a = state.sessions.get("a")!;
    state.sessions.set({
      ...a,
      status: "claimed",
      claim: { batch: "old", lease: 2_000_000, owner: "o" },
    });
    // 10 min = 600000: believed while lease <= now + 601000.
    expect(planBoundLeases(state, 1_399_000).events).toEqual([]);
    expect(events(planBoundLeases(state, 1_398_999))).toEqual([
      { t: "renew", at: 1_398_999, batch: "old", ids: ["a"], lease: 1_998_999 },
    ]);
  });

  it("leaves a stale claim on a session that is no longer claimed alone", () => {
    const state = fold([enq("a")]);
    const a = state.sessions.get("a")!;
    state.sessions.set({ ...a, claim: { batch: "old", lease: 9_999_999, owner: "o", ttl: 10 } });
    expect(planBoundLeases(state, 0)).toEqual({ events: [], value: 0 });
  });

  it("is part of every claim: the bounded renewal comes before the claim", () => {
    const state = fold([enq("ahead"), enq("new", 5), claim(["ahead"], "fast", 999_999, 900_000)]);
    const plan = planClaim(state, { now: 1_000, max: 5, leaseMs: 100, owner: "me", batch: "b" });
    expect(events(plan)).toEqual([
      { t: "renew", at: 1_000, batch: "fast", ids: ["ahead"], lease: 100_999 },
      { t: "claim", at: 1_000, batch: "b", ids: ["new"], lease: 1_100, owner: "me" },
    ]);
    const alone = fold([enq("ahead"), claim(["ahead"], "fast", 999_999, 900_000)]);
    expect(planClaim(alone, { now: 1_000, max: 5, leaseMs: 100, owner: "me", batch: "b" })).toEqual(
      {
        events: [
          { event: { t: "renew", at: 1_000, batch: "fast", ids: ["ahead"], lease: 100_999 } },
        ],
        value: [],
      },
    );
  });
});

describe("planRenew", () => {
  it("renews only what the batch still holds", () => {
    const state = fold([
      enq("a"),
      enq("b"),
      enq("c"),
      claim(["a", "b", "c"], "b1", 100),
      claim(["b"], "b2", 500, 100), // b2 took b over after b1's lease ran out
      { t: "result", at: 5, batch: "b1", id: "c" },
    ]);
    const plan = planRenew(state, "b1", ["a", "b", "c", "gone"], 200, 600);
    expect(plan.value).toBe(1);
    expect(events(plan)).toEqual([{ t: "renew", at: 200, batch: "b1", ids: ["a"], lease: 800 }]);
  });

  it("plans nothing when the batch holds none of them", () => {
    const state = fold([enq("a"), claim(["a"], "b2", 100)]);
    expect(planRenew(state, "b1", ["a"], 50, 600)).toEqual({ events: [], value: 0 });
  });
});

describe("planResults", () => {
  const state = () =>
    fold([
      enq("mine"),
      enq("dead"),
      enq("taken"),
      enq("removed"),
      enq("queued"),
      claim(["mine", "dead", "taken", "removed"], "b1", 100),
      claim(["taken"], "b2", 900, 100), // taken over after b1's lease expired
      { t: "remove", at: 150, ids: ["removed"] },
    ]);

  it("records results and dead letters for held sessions, reports the rest as lost", () => {
    const plan = planResults(
      state(),
      "b1",
      [
        { id: "mine", result: ok },
        { id: "taken", result: ok },
        { id: "dead", result: ok, dead: "5 attempts" },
        { id: "removed", result: ok },
        { id: "queued", result: ok },
        { id: "unknown", result: ok },
      ],
      200,
    );
    expect(plan.value).toEqual({
      recorded: ["mine", "dead"],
      lost: ["taken", "removed", "queued", "unknown"],
    });
    expect(plan.events).toEqual([
      { event: { t: "result", at: 200, batch: "b1", id: "mine" }, payload: { result: ok } },
      {
        event: { t: "dead", at: 200, batch: "b1", id: "dead", reason: "5 attempts" },
        payload: { result: ok },
      },
    ]);
  });

  it("the batch that took over records it", () => {
    const plan = planResults(state(), "b2", [{ id: "taken", result: ok }], 300);
    expect(plan.value).toEqual({ recorded: ["taken"], lost: [] });
  });
});

describe("planRetry and planRelease", () => {
  const state = () =>
    fold([enq("a"), enq("b"), enq("c"), claim(["a", "b"], "b1", 100), claim(["c"], "b2", 100)]);

  it("retry: only held ids, with the backoff and reason", () => {
    const plan = planRetry(state(), "b1", ["a", "c", "zz", "b"], {
      now: 50,
      notBefore: 70,
      reason: "server",
    });
    expect(plan.value).toEqual(["a", "b"]);
    expect(events(plan)).toEqual([
      { t: "retry", at: 50, batch: "b1", ids: ["a", "b"], notBefore: 70, reason: "server" },
    ]);
    expect(planRetry(state(), "b1", ["c"], { now: 50, notBefore: 70, reason: "x" })).toEqual({
      events: [],
      value: [],
    });
  });

  it("release: only held ids, with the reason", () => {
    const plan = planRelease(state(), "b2", ["a", "c"], 60, "shutdown");
    expect(plan.value).toEqual(["c"]);
    expect(events(plan)).toEqual([
      { t: "release", at: 60, batch: "b2", ids: ["c"], reason: "shutdown" },
    ]);
    expect(planRelease(state(), "b2", ["a", "b"], 60, "shutdown")).toEqual({
      events: [],
      value: [],
    });
  });
});

describe("batchEvent", () => {
  it("stamps the record with t and at", () => {
    const rec = {
      batch: "b1",
      outcome: "scored",
      sessions: 3,
      durationMs: 40,
      engine: "local",
    } as const;
    expect(batchEvent(rec, 99)).toEqual({ event: { t: "batch", at: 99, ...rec } });
  });
});

describe("planRemove and its filter", () => {
  // Enqueued at 0, 10, 20, 30; "s" scored at 500, "d" dead at 100; "q" queued; "c" claimed.
  const state = () =>
    fold([
      enq("s", 0),
      enq("d", 10),
      enq("q", 20),
      enq("c", 30),
      claim(["s", "d", "c"], "b1", 10_000),
      { t: "result", at: 500, batch: "b1", id: "s" },
      { t: "dead", at: 100, batch: "b1", id: "d", reason: "x" },
    ]);

  it.each([
    // filter, now, removed
    [{ processedOnly: false }, 1_000, ["s", "d", "q", "c"]],
    [{ processedOnly: true }, 1_000, ["s", "d"]],
    // Finished ones count from when they finished: s at 500, d at 100.
    [{ processedOnly: true, olderThanMs: 500 }, 1_000, ["s", "d"]],
    [{ processedOnly: true, olderThanMs: 501 }, 1_000, ["d"]],
    [{ processedOnly: true, olderThanMs: 901 }, 1_000, []],
    // Without processedOnly every session counts from its enqueue time.
    [{ processedOnly: false, olderThanMs: 981 }, 1_000, ["s", "d"]],
    [{ processedOnly: false, olderThanMs: 980 }, 1_000, ["s", "d", "q"]],
    [{ processedOnly: false, olderThanMs: 970 }, 1_000, ["s", "d", "q", "c"]],
  ])("%j at %i removes %j", (filter, now, removed) => {
    const plan = planRemove(state(), filter, now);
    expect(plan.value).toEqual(removed);
    expect(events(plan)).toEqual(removed.length ? [{ t: "remove", at: now, ids: removed }] : []);
  });

  it("a finished session without doneAt counts from its enqueue time", () => {
    const rec = {
      id: "x",
      status: "scored",
      enqueuedAt: 100,
      attempts: 0,
      notBefore: 0,
      ref: 0,
    } as const;
    expect(matchesRemoveFilter({ ...rec }, { processedOnly: true, olderThanMs: 900 }, 1_000)).toBe(
      true,
    );
    expect(matchesRemoveFilter({ ...rec }, { processedOnly: true, olderThanMs: 901 }, 1_000)).toBe(
      false,
    );
  });
});
