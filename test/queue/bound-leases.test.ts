/**
 * Issue 8, defect 4: a lease stamped by a clock running ahead counts as expiring at now + its
 * own length, and that bound is written down so every later reader agrees.
 */
import { describe, expect, it } from "vitest";
import { applyEvent, emptyState, isDue, type QueueState } from "../../src/queue/fold.js";
import { planBoundLeases, planClaim, planEnqueue } from "../../src/queue/plans.js";
import { fakePayload } from "../support/payload.js";

const DAY = 86_400_000;

function apply(state: QueueState, events: { event: Parameters<typeof applyEvent>[1] }[]) {
  for (const [i, { event }] of events.entries()) applyEvent(state, event, 1_000 + i);
}

function claimedAhead(aheadMs: number, leaseMs = 60_000) {
  const state = emptyState();
  apply(
    state,
    planEnqueue(
      state,
      ["a", "b", "c"].map((id) => ({ id, payload: fakePayload() })),
      0,
    ).events,
  );
  apply(
    state,
    planClaim(state, { now: 10_000 + aheadMs, max: 2, leaseMs, owner: "fast", batch: "b1" }).events,
  );
  return state;
}

describe("planBoundLeases", () => {
  it("bounds a lease stamped a day ahead to now + its own length, as one renewal", () => {
    const state = claimedAhead(DAY);
    expect(state.sessions.get("a")!.claim).toEqual({
      batch: "b1",
      lease: 10_000 + DAY + 60_000,
      owner: "fast",
      ttl: 60_000,
    });
    const plan = planBoundLeases(state, 10_000);
    expect(plan).toEqual({
      events: [{ event: { t: "renew", at: 10_000, batch: "b1", ids: ["a", "b"], lease: 70_000 } }],
      value: 2,
    });
    apply(state, plan.events);
    expect(isDue(state.sessions.get("a")!, 69_999)).toBe(false);
    expect(isDue(state.sessions.get("a")!, 70_000)).toBe(true);
    expect(planBoundLeases(state, 10_000).events).toEqual([]);
  });

  it.each([
    ["on time", 0],
    ["within the slack of one second", 1_000],
  ])("leaves a lease stamped %s alone", (_name, ahead) => {
    expect(planBoundLeases(claimedAhead(ahead), 10_000)).toEqual({ events: [], value: 0 });
  });

  it("bounds from a second past the slack, and a claim writes the bound before its own claim", () => {
    const state = claimedAhead(1_001);
    expect(planBoundLeases(state, 10_000).value).toBe(2);
    const claim = planClaim(state, {
      now: 10_000,
      max: 5,
      leaseMs: 5_000,
      owner: "me",
      batch: "b2",
    });
    expect(claim.events.map((e) => e.event.t)).toEqual(["renew", "claim"]);
    expect(claim.value.map((r) => r.id)).toEqual(["c"]);
  });

  it("assumes a 10 min lease for claims written before leases recorded their length", () => {
    const state = claimedAhead(DAY);
    for (const rec of state.sessions.values()) if (rec.claim) delete rec.claim.ttl;
    expect(planBoundLeases(state, 10_000).events[0]!.event).toMatchObject({ lease: 610_000 });
  });
});
