import { describe, expect, it } from "vitest";
import type { OutgoingEvent, QueueEvent } from "../../src/queue/events.js";
import { applyEvent, emptyState, type QueueState } from "../../src/queue/fold.js";
import {
  dueSessions,
  planClaim,
  planEnqueue,
  planRelease,
  planRenew,
  planResults,
  planRetry,
} from "../../src/queue/plans.js";
import { seededRandom } from "../../src/scoring/random.js";
import { fakePayload, fakeResult } from "../support/payload.js";

// Issue 15: fold ∘ plan as a property. Three processors interleave claims, renewals, results,
// dead letters, retries and releases at random times with random leases (so leases expire and
// sessions are taken over mid-batch). Whatever the interleaving, and whatever order the journal's
// events are then replayed in, no session is ever given two results. Seeded: the same 150 runs
// on every machine.

interface Processor {
  name: string;
  batch?: string;
  ids: string[];
  leaseMs: number;
}

function simulate(seed: number): {
  journal: QueueEvent[];
  state: QueueState;
  planned: number;
  refused: number;
  /** Claims whose picks differ from a full scan's oldest-first due sessions (issue 10). */
  misordered: number;
} {
  const rand = seededRandom(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const state = emptyState();
  const journal: QueueEvent[] = [];
  let planned = 0;
  let refused = 0;
  let misordered = 0;
  const apply = (plan: { events: OutgoingEvent[] }) => {
    for (const { event } of plan.events) {
      planned++;
      // A planner only plans what the state it saw allows: every event must take effect.
      if (!applyEvent(state, event, journal.length)) refused++;
      journal.push(event);
    }
  };
  const procs: Processor[] = ["p", "q", "r"].map((name) => ({ name, ids: [], leaseMs: 0 }));
  let now = 0;
  let next = 0;
  const enqueue = (n: number) =>
    apply(
      planEnqueue(
        state,
        Array.from({ length: n }, () => ({ id: `s${next++}`, payload: fakePayload() })),
        now,
      ),
    );
  enqueue(6);
  for (let step = 0; step < 80; step++) {
    now += int(400);
    const p = procs[int(procs.length)]!;
    const action = int(7);
    if (action === 0) enqueue(1 + int(2));
    else if (!p.batch) {
      p.batch = `${p.name}${step}`;
      p.leaseMs = 100 + int(900);
      const max = 1 + int(4);
      const plan = planClaim(state, {
        now,
        max,
        leaseMs: p.leaseMs,
        owner: p.name,
        batch: p.batch,
      });
      const scanned = dueSessions(state, now).slice(0, max);
      if (plan.value.map((r) => r.id).join() !== scanned.map((r) => r.id).join()) misordered++;
      apply(plan);
      p.ids = plan.value.map((r) => r.id);
    } else {
      const { batch, ids } = p;
      if (action === 1) apply(planRenew(state, batch, ids, now, p.leaseMs));
      else {
        if (action <= 3) {
          const results = ids.map((id) => ({
            id,
            result: fakeResult("local"),
            dead: rand() < 0.2 ? "5 attempts" : undefined,
          }));
          apply(planResults(state, batch, results, now));
        } else if (action <= 5) {
          apply(planRetry(state, batch, ids, { now, notBefore: now + int(500), reason: "server" }));
        } else apply(planRelease(state, batch, ids, now, "shutdown"));
        p.batch = undefined;
        p.ids = [];
      }
    }
  }
  return { journal, state, planned, refused, misordered };
}

/** Results and dead letters the fold accepted, per session. */
function acceptedResults(events: readonly QueueEvent[]): Map<string, number> {
  const state = emptyState();
  const accepted = new Map<string, number>();
  events.forEach((e, i) => {
    if (applyEvent(state, e, i) && (e.t === "result" || e.t === "dead")) {
      accepted.set(e.id, (accepted.get(e.id) ?? 0) + 1);
    }
  });
  return accepted;
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("fold ∘ plan (seeded property, 150 runs)", () => {
  it("every planned event takes effect, and the state stays consistent", () => {
    // Collected and compared once: 150 runs of expect() per session would be the slow part.
    const problems: string[] = [];
    let takeovers = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const { journal, state, planned, refused, misordered } = simulate(seed);
      if (refused > 0) problems.push(`seed ${seed}: ${refused} planned events took no effect`);
      if (misordered > 0) problems.push(`seed ${seed}: ${misordered} claims differ from a scan`);
      if (planned !== journal.length) problems.push(`seed ${seed}: ${planned} planned`);
      let scored = 0;
      let dead = 0;
      let attempts = 0;
      for (const rec of state.sessions.values()) {
        if ((rec.status === "claimed") !== (rec.claim !== undefined)) {
          problems.push(
            `seed ${seed}: ${rec.id} is ${rec.status} with claim ${JSON.stringify(rec.claim)}`,
          );
        }
        if (rec.status === "scored") scored++;
        if (rec.status === "dead") dead++;
        attempts += rec.attempts;
      }
      const { totals } = state;
      if (totals.scored !== scored || totals.dead !== dead) {
        problems.push(
          `seed ${seed}: totals ${totals.scored}/${totals.dead}, states ${scored}/${dead}`,
        );
      }
      if (attempts !== totals.retries + totals.dead) {
        problems.push(
          `seed ${seed}: ${attempts} attempts, ${totals.retries} retries + ${totals.dead} dead`,
        );
      }
      const claims = new Map<string, number>();
      for (const e of journal) {
        if (e.t === "claim") for (const id of e.ids) claims.set(id, (claims.get(id) ?? 0) + 1);
      }
      takeovers += [...claims.values()].filter((n) => n > 1).length;
    }
    expect(problems).toEqual([]);
    expect(takeovers).toBeGreaterThan(50); // the runs do exercise expired leases and takeovers
  });

  it("never gives one session two results, in the order planned or in any replay order", () => {
    const rand = seededRandom(15);
    const twice: string[] = [];
    let results = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const { journal } = simulate(seed);
      for (const [order, events] of [
        ["planned", journal],
        ["replayed", shuffled(journal, rand)],
      ] as const) {
        for (const [id, n] of acceptedResults(events)) {
          results++;
          if (n > 1) twice.push(`seed ${seed}, ${order}: ${id} got ${n} results`);
        }
      }
    }
    expect(twice).toEqual([]);
    expect(results).toBeGreaterThan(500);
  });
});
