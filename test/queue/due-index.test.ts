import { describe, expect, it } from "vitest";
import { SWEEP_FROM } from "../../src/queue/due-index.js";
import type { OutgoingEvent } from "../../src/queue/events.js";
import {
  applyEvent,
  claimOrderOf,
  emptyState,
  isDue,
  type QueueState,
} from "../../src/queue/fold.js";
import {
  dueSessions,
  planClaim,
  planEnqueue,
  planResults,
  planRetry,
} from "../../src/queue/plans.js";
import { seededRandom } from "../../src/scoring/random.js";
import { fakePayload, fakeResult } from "../support/payload.js";

// Issue 10: a drain's claim cost must not depend on the queue's size. Work is counted, not
// timed: the due-index entries each claim looks at.

function apply(state: QueueState, events: OutgoingEvent[]) {
  for (const { event } of events) applyEvent(state, event, 0);
}

function queueOf(n: number): QueueState {
  const state = emptyState();
  const items = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, payload: fakePayload() }));
  apply(state, planEnqueue(state, items, 1_000).events);
  return state;
}

/** Drains `state` in claims of `max`, scoring every other batch and retrying the rest once. */
function drain(state: QueueState, max: number) {
  const examined: number[] = [];
  let now = 10_000;
  for (let b = 0; ; b++) {
    now += 1;
    const batch = `b${b}`;
    const plan = planClaim(state, { now, max, leaseMs: 60_000, owner: "t", batch });
    examined.push(state.due.examined);
    if (plan.value.length === 0) break;
    apply(state, plan.events);
    const ids = plan.value.map((r) => r.id);
    const first = plan.value.every((r) => r.attempts === 0);
    if (b % 2 === 1 && first) {
      apply(state, planRetry(state, batch, ids, { now, notBefore: now + 5, reason: "x" }).events);
    } else {
      const results = ids.map((id) => ({ id, result: fakeResult("local") }));
      apply(state, planResults(state, batch, results, now).events);
    }
  }
  return examined;
}

describe("due index: claim work independent of queue size (issue 10)", () => {
  it("looks at the same number of entries per claim in a queue of 200 and of 20,000", () => {
    const small = drain(queueOf(200), 10);
    const large = drain(queueOf(20_000), 10);
    // Each claim looks at its own 10 plus the 10 the previous claim took (now stale), and at
    // most 10 retried sessions whose backoff ran out: never more than 30, whatever the size.
    expect([Math.max(...small), Math.max(...large)]).toEqual([30, 30]);
    expect(large.slice(0, 8)).toEqual([10, 20, 20, 20, 20, 20, 20, 30]);
    expect(small.slice(0, 8)).toEqual(large.slice(0, 8));
    // Every session was claimed (and retried ones again): the drain finished.
    expect(large.reduce((a, b) => a + b, 0) / large.length).toBeLessThan(30);
  });

  it("starts its ready heap as the claim order's own array: 4 bytes a due session, not a second array", () => {
    const state = queueOf(3_000);
    // Two claimed (leases: waiting entries) and one backing off, before the index is built.
    for (const [id, lease] of [
      ["s10", 50_000],
      ["s11", 60_000],
    ] as const)
      state.sessions.set({
        ...state.sessions.get(id)!,
        status: "claimed",
        claim: { batch: "x", lease, owner: "o" },
      });
    state.sessions.set({ ...state.sessions.get("s12")!, notBefore: 40_000 });
    expect(state.due.bytes).toBe(0); // not built yet
    const plan = planClaim(state, { now: 2_000, max: 3, leaseMs: 100, owner: "t", batch: "b" });
    expect(plan.value.map((r) => r.id)).toEqual(["s0", "s1", "s100"]);
    // The claim order of the 3,000 (12,000 bytes; its first 2,997 are the ready heap), a waiting
    // heap and its entries at their first size (1,024), and a flag a slot. Pushed one by one,
    // the 2,997 would have grown an array of their own to 4,096 entries.
    expect(state.due.bytes).toBe(3_000 * 4 + 1_024 * 4 + 3_000 + 1_024 * (8 + 4));
  });

  it("takes oldest first and skips sessions that are claimed, scored or backing off", () => {
    const state = queueOf(5);
    const at = (now: number, max = 5) =>
      planClaim(state, { now, max, leaseMs: 100, owner: "t", batch: `c${now}` });
    const first = at(2_000, 2);
    expect(first.value.map((r) => r.id)).toEqual(["s0", "s1"]);
    apply(state, first.events);
    apply(
      state,
      planRetry(state, "c2000", ["s1"], { now: 2_001, notBefore: 2_050, reason: "x" }).events,
    );
    expect(at(2_010).value.map((r) => r.id)).toEqual(["s2", "s3", "s4"]);
    // s0's lease (2,100) ran out, s1's backoff (2,050) too: both are due again, oldest first.
    expect(at(2_100).value.map((r) => r.id)).toEqual(["s0", "s1", "s2", "s3", "s4"]);
  });

  it("leaves what it picked in the index when the claim is not applied", () => {
    const state = queueOf(3);
    const opts = { now: 5_000, max: 2, leaseMs: 100, owner: "t", batch: "x" };
    expect(planClaim(state, opts).value.map((r) => r.id)).toEqual(["s0", "s1"]);
    // The append failed (a full disk): nothing was applied, so the next claim finds them again.
    expect(planClaim(state, opts).value.map((r) => r.id)).toEqual(["s0", "s1"]);
  });
});

describe("due index built on the first claim (issue 10: enqueue never claims)", () => {
  it("gives the claims of an index kept all along, after enqueues, claims, retries and results", () => {
    const along = queueOf(40);
    const late = queueOf(40);
    const both = (events: OutgoingEvent[]) => {
      apply(along, events);
      apply(late, events);
    };
    // Only `along` is asked (its index exists from the first claim); `late` is just folded.
    const claim = (now: number, max: number, batch: string) => {
      const plan = planClaim(along, { now, max, leaseMs: 1_000, owner: "t", batch });
      both(plan.events);
      return plan.value.map((r) => r.id);
    };
    expect(claim(2_000, 10, "a")).toHaveLength(10);
    both(planRetry(along, "a", ["s0", "s3"], { now: 2_100, notBefore: 2_500, reason: "x" }).events);
    both(planResults(along, "a", [{ id: "s1", result: fakeResult("local") }], 2_100).events);
    expect(claim(2_200, 5, "b")).toEqual(["s18", "s19", "s2", "s20", "s21"]); // ids tie-break as strings
    const more = [{ id: "n0", payload: fakePayload() }];
    both(planEnqueue(along, more, 900).events);
    expect([late.due.examined, late.due.waiting, late.due.swept]).toEqual([0, 0, 0]);
    // s0 and s3 back off until 2,500; a's lease ends at 3,000, b's at 3,200.
    for (const now of [2_300, 2_600, 3_000, 3_300]) {
      const opts = { now, max: 60, leaseMs: 1_000, owner: "t", batch: `p${now}` };
      const ids = planClaim(late, opts).value.map((r) => r.id);
      expect(ids).toEqual(planClaim(along, opts).value.map((r) => r.id));
      if (now === 2_300) expect(ids.slice(0, 3)).toEqual(["n0", "s22", "s23"]);
      if (now === 3_300) expect(ids).toHaveLength(40);
    }
  });
});

describe("due index past its first growth (issue 10)", () => {
  it("takes 1,500 expired leases once each, however many entries each left behind", () => {
    const state = queueOf(1_500);
    const claimed = planClaim(state, {
      now: 2_000,
      max: 1_500,
      leaseMs: 100,
      owner: "t",
      batch: "b",
    });
    apply(state, claimed.events);
    // A renewal leaves a second waiting entry per session; both run out by 3,000.
    const ids = claimed.value.map((r) => r.id);
    apply(state, [{ event: { t: "renew", at: 2_050, batch: "b", ids, lease: 2_200 } }]);
    // Before the leases run out nothing is due: the claim sweeps the stale ready entries away,
    // so the next one must find all 1,500 through their waiting entries.
    const early = planClaim(state, { now: 2_100, max: 10, leaseMs: 100, owner: "t", batch: "x" });
    expect(early.value).toEqual([]);
    const again = planClaim(state, {
      now: 3_000,
      max: 2_000,
      leaseMs: 100,
      owner: "t",
      batch: "c",
    });
    expect(again.value).toHaveLength(1_500);
    expect(new Set(again.value.map((r) => r.id)).size).toBe(1_500);
    expect(again.value[0]!.id).toBe("s0");
    expect(again.value.at(-1)!.id).toBe("s999");
  });
});

describe("due index: stale waiting entries swept (issue 10)", () => {
  it("keeps a drain's lease entries bounded when the leases outlive the drain", () => {
    const state = queueOf(20_000);
    let most = 0;
    for (let b = 0; ; b++) {
      const batch = `b${b}`;
      const now = 10_000 + b;
      const plan = planClaim(state, { now, max: 40, leaseMs: 600_000, owner: "t", batch });
      if (plan.value.length === 0) break;
      apply(state, plan.events);
      // A renewal makes the claim's own entry stale while the batch still holds its sessions.
      const ids = plan.value.map((r) => r.id);
      apply(state, [{ event: { t: "renew", at: now, batch, ids, lease: now + 700_000 } }]);
      most = Math.max(most, state.due.waiting);
      const results = plan.value.map((r) => ({ id: r.id, result: fakeResult("local") }));
      apply(state, planResults(state, batch, results, now).events);
    }
    expect(state.sessions.size).toBe(20_000);
    expect([...state.sessions.values()].every((r) => r.status === "scored")).toBe(true);
    // Without the sweep every one of the 20,000 lease entries would still wait (till 610,000).
    // 80 entries a batch (40 claims, 40 renewals). When a renewal makes the 1,024th entry,
    // the sweep keeps the batch's 24 renewals and its 16 claims not renewed yet: 40, then 56 at
    // the batch's end; when a claim makes it, the 8 claims so far: 80 at the end. From 56, twelve
    // batches reach 1,016 (the most), and the 500th batch ends there too.
    expect([most, state.due.waiting]).toEqual([1_016, 1_016]);
  });

  it("sweeps when the waiting entries reach twice the live ones: at most two looks per push", () => {
    const state = queueOf(5_000);
    const claim = (max: number, batch: string) =>
      planClaim(state, { now: 5_000, max, leaseMs: 600_000, owner: "t", batch });
    const a = claim(1_500, "a");
    apply(state, a.events);
    // 1,500 live lease entries: one sweep, at the 1,024th (all live), the next due at 2,048.
    expect([state.due.waiting, state.due.swept]).toEqual([1_500, 1_024]);
    apply(state, claim(548, "b").events);
    // The 2,048th entry sweeps again: 2,048 looked at, all live, the next sweep at 4,096.
    expect([state.due.waiting, state.due.swept]).toEqual([2_048, 3_072]);
    const results = a.value.map((r) => ({ id: r.id, result: fakeResult("local") }));
    apply(state, planResults(state, "a", results, 5_001).events);
    apply(state, claim(952, "c").events);
    // 1,500 of them stale now; the 3,000 pushes so far cost 3,072 looks, and no sweep came.
    expect([state.due.waiting, state.due.swept]).toEqual([3_000, 3_072]);
    expect(state.sessions.get(a.value[0]!.id)?.status).toBe("scored");
    // 1,096 more: the 4,096th entry sweeps, 1,500 stale go, 2,596 live stay.
    apply(state, claim(1_096, "d").events);
    expect([state.due.waiting, state.due.swept]).toEqual([2_596, 7_168]);
  });

  it("claims what a scan of every session finds due, through sweeps, renewals and retries", () => {
    const state = queueOf(3_000);
    const rand = seededRandom(42);
    const open: { batch: string; ids: string[] }[] = [];
    let sweptPast = 0;
    for (let step = 0; step < 400; step++) {
      const now = 10_000 + step * 50;
      const expected = [...state.sessions.values()]
        .filter((r) => isDue(r, now))
        .map((r) => r.id)
        .sort()
        .slice(0, 40);
      const batch = `b${step}`;
      const plan = planClaim(state, {
        now,
        max: 40,
        leaseMs: 100 + Math.floor(rand() * 3_000),
        owner: "t",
        batch,
      });
      expect(plan.value.map((r) => r.id)).toEqual(expected);
      apply(state, plan.events);
      if (plan.value.length > 0) open.push({ batch, ids: plan.value.map((r) => r.id) });
      // Settle some open batches: score, retry with a backoff, renew, or leave them to run out.
      while (open.length > 4) {
        const { batch: b, ids } = open.splice(Math.floor(rand() * open.length), 1)[0]!;
        const roll = rand();
        if (roll < 0.4) {
          const results = ids.map((id) => ({ id, result: fakeResult("local") }));
          apply(state, planResults(state, b, results, now).events);
        } else if (roll < 0.7) {
          const notBefore = now + Math.floor(rand() * 2_000);
          apply(state, planRetry(state, b, ids, { now, notBefore, reason: "x" }).events);
        } else if (roll < 0.85) {
          const lease = now + Math.floor(rand() * 4_000);
          apply(state, [{ event: { t: "renew", at: now, batch: b, ids, lease } }]);
        }
      }
      if (state.due.waiting >= SWEEP_FROM) sweptPast++;
    }
    // The run went through sweeps (the waiting entries passed SWEEP_FROM) and claimed to the end.
    expect(sweptPast).toBeGreaterThan(0);
  });
});

describe("ties in claim order settled once (issue 10: ids may be read from a checkpoint's file)", () => {
  it("claims in (enqueuedAt, id) order with no id comparison, but for sessions since the build", () => {
    const r = seededRandom(3);
    const state = emptyState();
    // Three batches stamped 1,000 and one stamped 900 after them (a clock stepped back): ids
    // scrambled, so slot order is neither time order nor id order.
    for (const at of [1_000, 1_000, 1_000, 900]) {
      const items = Array.from({ length: 40 }, () => ({
        id: `t${Math.floor(r() * 1e6)}`,
        payload: fakePayload(),
      }));
      apply(state, planEnqueue(state, items, at).events);
    }
    let compares = 0;
    const { ids } = state.sessions;
    const compare = ids.compare;
    ids.compare = (a, b) => {
      compares++;
      return compare(a, b);
    };
    const expected = dueSessions(state, 5_000).map((rec) => rec.id);
    const claimOf = (max: number, batch: string) =>
      planClaim(state, { now: 5_000, max, leaseMs: 10_000, owner: "t", batch });
    const first = claimOf(60, "a");
    apply(state, first.events);
    expect(first.value.map((rec) => rec.id)).toEqual(expected.slice(0, 60));
    expect(compares).toBe(0);
    // Sessions enqueued after the build tie with ranked ones: those ties compare their ids.
    const late = ["t0", "t999999", "u"].map((id) => ({ id, payload: fakePayload() }));
    apply(state, planEnqueue(state, late, 1_000).events);
    const rest = claimOf(200, "b").value.map((rec) => rec.id);
    const want = [...expected.slice(60), "t0", "t999999", "u"];
    want.sort((x, y) => {
      const at = (id: string) => state.sessions.get(id)!.enqueuedAt;
      return at(x) - at(y) || (x < y ? -1 : 1);
    });
    expect(rest).toEqual(want);
    expect(compares).toBeGreaterThan(0);
  });

  it("ranks live slots by time, then id as JavaScript orders strings; removed slots unranked", () => {
    const state = emptyState();
    const add = (ids: string[], at: number) =>
      apply(
        state,
        planEnqueue(
          state,
          ids.map((id) => ({ id, payload: fakePayload() })),
          at,
        ).events,
      );
    add(["b", "a10", "a9"], 2_000);
    add(["z", "é", "y"], 1_000);
    add(["c"], 3_000);
    apply(state, [{ event: { t: "remove", at: 0, ids: ["y"] } }]);
    // Slots: b a10 a9 | z é y | c. Order: z é (1,000) · a10 a9 b (2,000) · c (3,000).
    const { rank, order } = claimOrderOf(state.sessions);
    expect(Array.from(rank)).toEqual([4, 2, 3, 0, 1, 0xffffffff, 5]);
    expect(Array.from(order)).toEqual([3, 4, 1, 2, 0, 6]);
  });

  it("ranks a run of 1,500 sessions of one time, 40 KB of ids, as a sort of their strings", () => {
    const r = seededRandom(17);
    const pool = ["a", "Z", "é", "\ue000", "😀", "0"];
    const ids = Array.from({ length: 1_500 }, (_, k) => {
      let s = "";
      for (let i = 0; i < 4 + (k % 9); i++) s += pool[Math.floor(r() * pool.length)]!;
      // One id of 10,000 bytes once the buffer holds a few KiB: it must grow past twice its size.
      return k === 300 ? `${"a".repeat(10_000)}-${k}` : `${s}-${k}`;
    });
    const state = emptyState();
    apply(
      state,
      planEnqueue(
        state,
        ids.map((id) => ({ id, payload: fakePayload() })),
        1_000,
      ).events,
    );
    const ranks = claimOrderOf(state.sessions).rank;
    const sorted = [...ids].sort((x, y) => (x < y ? -1 : 1));
    expect(ids.map((_, slot) => sorted[ranks[slot]!])).toEqual(ids);
  });
});
